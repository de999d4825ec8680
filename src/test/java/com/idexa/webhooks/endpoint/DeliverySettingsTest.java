package com.idexa.webhooks.endpoint;

import static com.idexa.webhooks.support.TestHttp.assertRefusedField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A client bounds what it receives: maxPerSecond and maxInFlight, honoured by the dispatcher. */
class DeliverySettingsTest extends DeliveryTestSupport {

    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    private TestHttp.Response putSettings(ClientService.IssuedKey client, String webhookId, String json) {
        return http().apiKey(client.apiKey())
                .send("PUT", "/document_webhooks/" + webhookId + "/delivery_settings", json, "application/json");
    }

    private void throttle(ClientService.IssuedKey client, String webhookId, String json) {
        TestHttp.Response response = putSettings(client, webhookId, json);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    /** Reports {@code count} finished documents in one intake batch: all due at the same moment. */
    private void reportBatch(ClientService.IssuedKey client, String prefix, int count) {
        StringJoiner body = new StringJoiner(",", "{\"events\": [", "]}");
        for (int i = 0; i < count; i++) {
            body.add("{\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": {\"id\": \"" + prefix + i
                    + "\"}}");
        }
        TestHttp.Response response =
                http().bearer(INTERNAL_TOKEN).post("/internal/document_events/batch", body.toString());
        assertThat(response.status()).as(response.body()).isEqualTo(202);
    }

    private void awaitReceived(int count) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.received().size() >= count);
    }

    @Test
    void deliverySettingsAreStoredAndReadBack() {
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String path = "/document_webhooks/" + webhookId + "/delivery_settings";

        JsonNode unset = http().apiKey(client.apiKey()).get(path).json();
        assertThat(unset.get("maxPerSecond").isNull()).isTrue();
        assertThat(unset.get("maxInFlight").isNull()).isTrue();

        TestHttp.Response put = putSettings(client, webhookId, "{\"maxPerSecond\": 20, \"maxInFlight\": 2}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("maxPerSecond").asInt()).isEqualTo(20);
        JsonNode read = http().header("X-API-KEY", client.apiKey())
                .get("/api_document" + path)
                .json();
        assertThat(read.get("maxPerSecond").asInt()).isEqualTo(20);
        assertThat(read.get("maxInFlight").asInt()).isEqualTo(2);

        throttle(client, webhookId, "{\"maxPerSecond\": null}");
        JsonNode cleared = http().apiKey(client.apiKey()).get(path).json();
        assertThat(cleared.get("maxPerSecond").isNull()).isTrue();
        assertThat(cleared.get("maxInFlight").isNull()).isTrue();
        assertThat(putSettings(newClient(), webhookId, "{\"maxInFlight\": 1}").status())
                .isEqualTo(404);
    }

    @Test
    void refusesDeliverySettingsOutOfRangeOrMalformed() {
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        assertRefusedField(putSettings(client, webhookId, "{\"maxPerSecond\": 0}"), "maxPerSecond");
        assertRefusedField(putSettings(client, webhookId, "{\"maxPerSecond\": 1001}"), "maxPerSecond");
        assertRefusedField(putSettings(client, webhookId, "{\"maxPerSecond\": 1.5}"), "maxPerSecond");
        assertRefusedField(putSettings(client, webhookId, "{\"maxPerSecond\": \"fast\"}"), "maxPerSecond");
        assertRefusedField(putSettings(client, webhookId, "{\"maxPerSecond\": \"5\"}"), "maxPerSecond");
        assertRefusedField(putSettings(client, webhookId, "{\"maxInFlight\": \"\"}"), "maxInFlight");
        assertRefusedField(putSettings(client, webhookId, "{\"maxInFlight\": \" 5\"}"), "maxInFlight");
        assertRefusedField(putSettings(client, webhookId, "{\"maxInFlight\": 0}"), "maxInFlight");
        assertRefusedField(putSettings(client, webhookId, "{\"maxInFlight\": 9}"), "maxInFlight"); // cap: 8
        assertRefusedField(putSettings(client, webhookId, "{\"maxInFlight\": 99999999999}"), "maxInFlight");
        assertRefusedField(putSettings(client, webhookId, "{\"maxPerSec\": 5}"), "maxPerSec");
        for (String malformed : List.of("{\"maxPerSecond\": ", "[]", "", "null")) {
            TestHttp.Response response = putSettings(client, webhookId, malformed);
            assertThat(response.status())
                    .as(malformed + " -> " + response.body())
                    .isEqualTo(400);
            assertThat(response.contentType()).isEqualTo("application/problem+json");
        }
        JsonNode unchanged = http().apiKey(client.apiKey())
                .get("/document_webhooks/" + webhookId + "/delivery_settings")
                .json();
        assertThat(unchanged.get("maxPerSecond").isNull()).isTrue();
    }

    @Test
    void aThrottleOf50PerSecondHoldsAtTheReceiver() {
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        throttle(client, webhookId, "{\"maxPerSecond\": 50}");

        reportBatch(client, "rate-", 300);
        awaitReceived(300);

        List<Instant> arrivals = receiver.received().stream()
                .map(TestReceiver.Received::at)
                .sorted()
                .toList();
        double seconds = Duration.between(arrivals.get(0), arrivals.get(arrivals.size() - 1))
                        .toNanos()
                / (double) TimeUnit.SECONDS.toNanos(1);
        double rate = (arrivals.size() - 1) / seconds;
        // Only the bound is the throttle's promise (unthrottled, these 300 arrive at hundreds a second); how close
        // to 50 a loaded machine gets is the dispatcher's speed, which belongs in the benchmark (it measured 51.7).
        assertThat(rate).as("deliveries per second at the receiver").isLessThanOrEqualTo(55.0);
    }

    @Test
    void maxInFlightOneNeverHasTwoAttemptsOfTheClientOpenAtOnce() {
        ClientService.IssuedKey client = newClient();
        receiver.byDefault(request -> slowly(TestReceiver.Reply.status(200)));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        throttle(client, webhookId, "{\"maxInFlight\": 1}");

        reportBatch(client, "one-", 20);
        awaitReceived(20);

        assertThat(receiver.maxConcurrent()).isEqualTo(1);
    }

    @Test
    void maxInFlightOneSendsFirstAttemptsInTheOrderEventsWereRecorded() {
        ClientService.IssuedKey client = newClient();
        receiver.byDefault(request -> slowly(TestReceiver.Reply.status(200)));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        throttle(client, webhookId, "{\"maxInFlight\": 1}");
        List<String> recorded = new ArrayList<>();

        IntStream.range(0, 10).forEach(i -> {
            deliver(client, "ordered-" + i);
            recorded.add("/cb/ordered-" + i);
        });
        awaitReceived(10);

        assertThat(receiver.received()).extracting(TestReceiver.Received::path).containsExactlyElementsOf(recorded);
    }

    @Test
    void enablingReleasesHeldDeliveriesOldestFirst() {
        ClientService.IssuedKey client = newClient();
        receiver.replies(TestReceiver.Reply.status(410));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        throttle(client, webhookId, "{\"maxInFlight\": 1}");
        deliver(client, "gone");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> http().apiKey(client.apiKey())
                        .get("/document_webhooks/" + webhookId + "/status")
                        .json()
                        .get("state")
                        .asString()
                        .equals("DISABLED"));
        List<String> held = new ArrayList<>();
        IntStream.range(0, 5).forEach(i -> {
            deliver(client, "held-" + i);
            held.add("/cb/held-" + i);
        });

        assertThat(http().apiKey(client.apiKey())
                        .post("/document_webhooks/" + webhookId + "/enable", "")
                        .status())
                .isEqualTo(200);
        awaitReceived(1 + held.size());

        assertThat(receiver.received().subList(1, 1 + held.size()))
                .extracting(TestReceiver.Received::path)
                .containsExactlyElementsOf(held);
    }

    /** A slow endpoint: each answer takes a moment, so attempts sent together would overlap. */
    private static TestReceiver.Reply slowly(TestReceiver.Reply reply) {
        try {
            Thread.sleep(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return reply;
    }
}
