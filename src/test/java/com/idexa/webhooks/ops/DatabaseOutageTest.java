package com.idexa.webhooks.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.TcpProxy;
import com.idexa.webhooks.support.TestDatabase;
import com.idexa.webhooks.support.TestHttp;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service in front of a database that goes away and comes back, through a {@link TcpProxy}: while it is
 * gone, intake and the client API answer 503 problem documents with {@code Retry-After} within a few seconds,
 * readiness reads DOWN within two seconds and every probe answers at once, also while the database is frozen;
 * once it is back, everything works again.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "webhooks.internal-token=" + DatabaseOutageTest.INTERNAL_TOKEN,
            "webhooks.encryption-key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "webhooks.delivery.enabled=false"
        })
class DatabaseOutageTest {

    static final String INTERNAL_TOKEN = "outage-internal-token";
    private static final Duration PROBE_BUDGET = Duration.ofSeconds(2);

    private static final TcpProxy database =
            TcpProxy.inFrontOf(TestDatabase.get().url());

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        database.serveAsDataSource(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    ClientService clients;

    @AfterEach
    void bringTheDatabaseBack() {
        database.restore();
    }

    @AfterAll
    static void closeTheProxy() {
        database.close();
    }

    private TestHttp http() {
        return new TestHttp("http://localhost:" + port);
    }

    private TestHttp.Response reportDocument(ClientService.IssuedKey client) {
        return http().bearer(INTERNAL_TOKEN)
                .post(
                        "/internal/document_events",
                        "{\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": {\"id\": \"d\"}}");
    }

    /** The readiness probe, which must answer within its budget whatever the database does. */
    private TestHttp.Response readiness() {
        long start = System.nanoTime();
        TestHttp.Response response = http().get("/actuator/health/readiness");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROBE_BUDGET);
        return response;
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(readiness().status()).isEqualTo(200));
    }

    private static void assertUnavailable(TestHttp.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(503);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(response.json().get("status").asInt()).isEqualTo(503);
        assertThat(response.body())
                .doesNotContain("Exception")
                .doesNotContain("jdbc")
                .doesNotContain("127.0.0.1");
    }

    @Test
    void answers503WithRetryAfterWhileTheDatabaseIsGoneAndRecovers() {
        ClientService.IssuedKey client = clients.registerClient("Outage");
        awaitReady();
        assertThat(reportDocument(client).status()).isEqualTo(202);

        database.cut();

        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(readiness().status()).isEqualTo(503));
        assertThat(readiness().json().get("status").asString()).isEqualTo("DOWN");
        long start = System.nanoTime();
        assertUnavailable(reportDocument(client));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertUnavailable(http().apiKey(client.apiKey()).get("/document_webhooks"));
        assertThat(http().get("/actuator/health/liveness").status()).isEqualTo(200);

        database.restore();

        awaitReady();
        assertThat(reportDocument(client).status()).isEqualTo(202);
        assertThat(http().apiKey(client.apiKey()).get("/document_webhooks").status())
                .isEqualTo(404);
    }

    @Test
    void readinessReadsDownAtOnceWhileTheDatabaseIsFrozen() {
        ClientService.IssuedKey client = clients.registerClient("Frozen");
        awaitReady();

        database.freeze();

        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(readiness().status()).isEqualTo(503));
        for (int i = 0; i < 10; i++) {
            assertThat(readiness().status()).isEqualTo(503);
        }

        database.restore();

        awaitReady();
        assertThat(reportDocument(client).status()).isEqualTo(202);
    }
}
