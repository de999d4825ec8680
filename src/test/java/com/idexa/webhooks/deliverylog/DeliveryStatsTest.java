package com.idexa.webhooks.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestDatabase;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The console's numbers ({@code /deliveries/stats}) and the log's time filter ({@code before}). */
class DeliveryStatsTest extends DeliveryTestSupport {

    @Test
    void countsThisHoursDeliveriesByOutcomeAndItsAttemptsOfThisClientOnly() {
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.byDefault(request -> request.path().contains("bad") ? Reply.status(500) : Reply.status(200));
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
            awaitStatus(client, deliver(client, "good-1"), "SUCCEEDED");
            awaitStatus(client, deliver(client, "good-2"), "SUCCEEDED");
            awaitStatus(client, deliver(client, "bad-1"), "FAILED"); // 4 attempts: the first and 3 retries
            ClientService.IssuedKey other = newClient();
            registerWebhook(other, simpleWebhook("POST", receiver.url("/other/:id")));
            awaitStatus(other, deliver(other, "good-3"), "SUCCEEDED");

            JsonNode stats = http().apiKey(client.apiKey())
                    .get("/document_webhooks/deliveries/stats")
                    .json();

            assertThat(stats.get("hours")).hasSize(24);
            JsonNode now = stats.get("hours").get(23);
            assertThat(OffsetDateTime.parse(now.get("hour").asString()))
                    .isEqualTo(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS));
            assertThat(now.get("succeeded").asLong()).isEqualTo(2);
            assertThat(now.get("failed").asLong()).isEqualTo(1);
            assertThat(now.get("pending").asLong()).isZero();
            assertThat(now.get("attempts").asLong()).isEqualTo(6);
            assertThat(now.get("p50Ms").isNull()).isFalse();
            assertThat(now.get("p95Ms").asLong())
                    .isGreaterThanOrEqualTo(now.get("p50Ms").asLong());
            assertThat(stats.get("hours").get(0).get("attempts").asLong()).isZero();
            assertThat(stats.get("hours").get(0).get("p50Ms").isNull()).isTrue();
        }
    }

    @Test
    void statisticsPastTheirTimeoutAreA503ThatNamesThem() throws Exception {
        ClientService.IssuedKey client = newClient(); // nothing of it kept yet
        TestDatabase.Connection database = TestDatabase.get();
        // Another session holds the history exclusively: the statistics wait on it until their statement timeout.
        try (Connection holder = DriverManager.getConnection(database.url(), database.username(), database.password());
                Statement statement = holder.createStatement()) {
            holder.setAutoCommit(false);
            statement.execute("LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE");

            TestHttp.Response response = http().apiKey(client.apiKey()).get("/document_webhooks/deliveries/stats");

            holder.rollback();
            assertThat(response.status()).as(response.body()).isEqualTo(503);
            assertThat(response.header("Retry-After")).isEqualTo("60");
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.json().get("detail").asString())
                    .contains("statistics")
                    .contains("took longer than " + DeliveryLogService.STATS_TIMEOUT_SECONDS + " s");
        }
        assertThat(http().apiKey(client.apiKey())
                        .get("/document_webhooks/deliveries/stats")
                        .status())
                .as("nothing kept of the failed try: asked again, they are computed")
                .isEqualTo(200);
    }

    private static long sum(JsonNode hours, String field) {
        long sum = 0;
        for (JsonNode hour : hours) {
            sum += hour.get(field).asLong();
        }
        return sum;
    }

    @Test
    void listsOnlyDeliveriesCreatedBeforeTheGivenTime() {
        try (TestReceiver receiver = TestReceiver.start()) {
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
            deliver(client, "early");
            TestHttp api = http().apiKey(client.apiKey());

            String future = OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(5).toString();
            String past = OffsetDateTime.now(ZoneOffset.UTC).minusDays(1).toString();

            assertThat(api.get("/document_webhooks/deliveries?before=" + future)
                            .json()
                            .get("items"))
                    .hasSize(1);
            assertThat(api.get("/document_webhooks/deliveries?before=" + past)
                            .json()
                            .get("items"))
                    .isEmpty();
            TestHttp.assertRefusedField(api.get("/document_webhooks/deliveries?before=yesterday"), "before");
            TestHttp.assertRefusedField(api.get("/document_webhooks/deliveries?before=2026-11-29T20:00:00"), "before");
            TestHttp.assertRefusedField(
                    api.get("/document_webhooks/deliveries?before=%2B294277-01-01T00:00:00Z"), "before");
            TestHttp.assertRefusedField(
                    api.get("/document_webhooks/deliveries?before=-0001-01-01T00:00:00Z"), "before");
            // Offsets Java reads but PostgreSQL would not: the time is taken in UTC.
            assertThat(api.get("/document_webhooks/deliveries?before=2026-11-29T20:40:00-17:00")
                            .status())
                    .isEqualTo(200);
            assertThat(api.get("/document_webhooks/deliveries?before=2026-11-29T20:40:00%2B18:00")
                            .status())
                    .isEqualTo(200);
        }
    }
}
