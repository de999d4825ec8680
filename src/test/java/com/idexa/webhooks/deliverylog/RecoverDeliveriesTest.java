package com.idexa.webhooks.deliverylog;

import static com.idexa.webhooks.support.TestHttp.assertRefusedField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** POST /document_webhooks/deliveries/recover: what a window missed is sent again, exactly once. */
class RecoverDeliveriesTest extends DeliveryTestSupport {

    private final TestReceiver receiver = TestReceiver.start();

    @Autowired
    JdbcClient jdbc;

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    private TestHttp.Response recover(ClientService.IssuedKey client, String body) {
        return http().apiKey(client.apiKey()).post("/document_webhooks/deliveries/recover", body);
    }

    private static String since(Duration ago) {
        return "{\"since\": \"" + OffsetDateTime.now().minus(ago) + "\"}";
    }

    private List<JsonNode> log(ClientService.IssuedKey client) {
        JsonNode page = http().apiKey(client.apiKey())
                .get("/document_webhooks/deliveries?limit=100")
                .json();
        return StreamSupport.stream(page.get("items").spliterator(), false).toList();
    }

    @Test
    void recoverRequeuesFailedDeliveriesAndCreatesMissingOnesExactlyOnce() {
        ClientService.IssuedKey client = newClient();
        // Recorded while the client had no webhook: no delivery.
        assertThat(reportDocument(client, "before-webhook-1", "{\"id\": \"missed-1\"}")
                        .status())
                .isEqualTo(202);
        assertThat(reportDocument(client, "before-webhook-2", "{\"id\": \"missed-2\"}")
                        .status())
                .isEqualTo(202);
        receiver.byDefault(request -> TestReceiver.Reply.status(500));
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String failed = deliver(client, "failed-1");
        awaitStatus(client, failed, "FAILED");
        int attemptsBefore = receiver.received().size();
        receiver.byDefault(request -> TestReceiver.Reply.status(200));

        TestHttp.Response first = recover(client, since(Duration.ofHours(1)));

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.json().get("requeued").asInt()).isEqualTo(1);
        assertThat(first.json().get("created").asInt()).isEqualTo(2);
        awaitStatus(client, failed, "SUCCEEDED");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(log(client))
                        .hasSize(3)
                        .allSatisfy(item ->
                                assertThat(item.get("status").asString()).isEqualTo("SUCCEEDED")));
        TestHttp.Response second = recover(client, since(Duration.ofHours(1)));
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.json().get("requeued").asInt()).isZero();
        assertThat(second.json().get("created").asInt()).isZero();
        assertThat(receiver.received()
                        .subList(attemptsBefore, receiver.received().size()))
                .extracting(TestReceiver.Received::path)
                .containsExactlyInAnyOrder("/cb/failed-1", "/cb/missed-1", "/cb/missed-2");
    }

    @Test
    void recoverTouchesOnlyTheWindow() {
        ClientService.IssuedKey client = newClient();
        reportDocument(client, "old-1", "{\"id\": \"old-1\"}");
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        OffsetDateTime now = OffsetDateTime.now().truncatedTo(ChronoUnit.MILLIS);

        TestHttp.Response before =
                recover(client, "{\"since\": \"" + now.minusDays(3) + "\", \"until\": \"" + now.minusDays(2) + "\"}");

        assertThat(before.status()).as(before.body()).isEqualTo(202);
        assertThat(before.json().get("created").asInt()).isZero();
        assertRefusedField(recover(client, "{\"since\": \"" + now.plusMinutes(1) + "\"}"), "since"); // future
        TestHttp.Response within = recover(client, since(Duration.ofHours(1)));
        assertThat(within.json().get("created").asInt()).isEqualTo(1);
    }

    @Test
    void recoverRefusesAWindowBeyondItsLimits() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        assertRefusedField(recover(client, since(Duration.ofDays(15))), "since");
        assertRefusedField(recover(client, "{}"), "since");
        assertRefusedField(recover(client, "{\"since\": \"yesterday\"}"), "since");
        assertRefusedField(recover(client, "{\"since\": \"2026-11-29T10:00:00\"}"), "since"); // no offset
        OffsetDateTime now = OffsetDateTime.now();
        // A control character or a space around the time is not trimmed away: the value is not the time.
        assertRefusedField(recover(client, "{\"since\": \"" + now.minusHours(1) + "\\u0000\"}"), "since");
        assertRefusedField(recover(client, "{\"since\": \" " + now.minusHours(1) + "\"}"), "since");
        assertRefusedField(
                recover(client, "{\"since\": \"" + now.minusHours(1) + "\", \"until\": \"" + now.minusHours(2) + "\"}"),
                "until");
        assertRefusedField(recover(client, "{\"since\": \"" + now.minusHours(1) + "\", \"from\": 1}"), "from");
        TestHttp.Response malformed = recover(client, "{\"since\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void concurrentRecoveriesOfOneClientTakeTurnsWithoutWaitingOnTheDatabase() throws Exception {
        ClientService.IssuedKey client = newClient();
        for (int i = 0; i < 5; i++) {
            assertThat(reportDocument(client, "missed-" + i, "{\"id\": \"m" + i + "\"}")
                            .status())
                    .isEqualTo(202);
        }
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        java.util.List<java.util.concurrent.CompletableFuture<TestHttp.Response>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> recover(client, since(Duration.ofHours(1)))));
        }
        int created = 0;
        for (java.util.concurrent.CompletableFuture<TestHttp.Response> call : calls) {
            TestHttp.Response response = call.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(response.status()).as(response.body()).isIn(202, 409);
            if (response.status() == 202) {
                created += response.json().get("created").asInt();
            }
        }
        assertThat(created).isEqualTo(5);
    }

    @Test
    void recoverTakesTimesPostgreSqlCouldNotHoldWithoutA500() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        OffsetDateTime anHourAgo =
                OffsetDateTime.now(java.time.ZoneOffset.ofHours(-17)).minusHours(1);

        TestHttp.Response farUntil =
                recover(client, "{\"since\": \"" + anHourAgo + "\", \"until\": \"+999999999-12-31T23:59:59Z\"}");
        TestHttp.Response farOffset = recover(client, "{\"since\": \"" + anHourAgo + "\"}");

        assertRefusedField(farUntil, "until"); // a clear 400, not PostgreSQL's out-of-range error as a 500
        assertThat(farOffset.status()).as(farOffset.body()).isEqualTo(202);
    }

    @Test
    void recoverRefusesMoreThanTenThousandDeliveriesInOneCall() {
        ClientService.IssuedKey client = newClient();
        jdbc.sql("""
                        INSERT INTO events (id, client_id, event_key, type, document_id, document)
                        SELECT gen_random_uuid(), ?, 'bulk-' || i, 0, 'doc-' || i, '{}' FROM generate_series(1, 10001) i""").param(client.clientId()).update();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        TestHttp.Response tooMany = recover(client, since(Duration.ofHours(1)));

        assertRefusedField(tooMany, "since");
        assertThat(tooMany.json().get("detail").asString()).contains("10000");
        assertThat(jdbc.sql("SELECT count(*) FROM deliveries WHERE client_id = ?")
                        .param(client.clientId())
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void recoverNeedsAWebhook() {
        ClientService.IssuedKey client = newClient();

        TestHttp.Response response = recover(client, since(Duration.ofHours(1)));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.json().get("detail").asString()).contains("no webhook");
        assertThat(http().header("X-API-KEY", client.apiKey())
                        .post("/api_document/document_webhooks/deliveries/recover", since(Duration.ofHours(1)))
                        .status())
                .isEqualTo(404);
    }
}
