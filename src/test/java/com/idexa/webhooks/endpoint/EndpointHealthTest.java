package com.idexa.webhooks.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.StreamSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A dead endpoint is disabled (after a short configured window here, or at once on 410 Gone), its deliveries are
 * held until the client enables it, and the operator is told, signed.
 */
// Closed after the class: every cached context's dispatcher claims from the one test database, and this one's
// settings must not decide other classes' deliveries.
@DirtiesContext
@TestPropertySource(
        properties = {
            "webhooks.endpoint.disable-after=1s",
            "webhooks.endpoint.disable-min-failures=3",
            "webhooks.delivery.retry-delays=300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms",
            "webhooks.operator.signing-secret=" + EndpointHealthTest.OPERATOR_SECRET
        })
class EndpointHealthTest extends DeliveryTestSupport {

    static final String OPERATOR_SECRET = "whsec_6sg18UqafnDHhxVdsCOCWgE1tmuRUH5PXt194hZbOjg=";

    /** Stands in for the operators' endpoint; it lives as long as the test context. */
    private static final TestReceiver OPERATOR = TestReceiver.start();

    @DynamicPropertySource
    static void operatorEndpoint(DynamicPropertyRegistry registry) {
        registry.add("webhooks.operator.notify-url", () -> OPERATOR.url("/ops/endpoints"));
    }

    @Autowired
    MeterRegistry meters;

    private final List<TestReceiver> receivers = new ArrayList<>();

    @AfterEach
    void closeReceivers() {
        receivers.forEach(TestReceiver::close);
    }

    private TestReceiver receiver() {
        TestReceiver receiver = TestReceiver.start();
        receivers.add(receiver);
        return receiver;
    }

    private JsonNode status(ClientService.IssuedKey client, String webhookId) {
        TestHttp.Response response = http().apiKey(client.apiKey()).get("/document_webhooks/" + webhookId + "/status");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private JsonNode awaitState(ClientService.IssuedKey client, String webhookId, String state) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> status(client, webhookId).get("state").asString().equals(state));
        return status(client, webhookId);
    }

    private double stateChanges(String state) {
        var counter = meters.find("webhook.endpoint.state.changes")
                .tag("state", state)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private List<JsonNode> logItems(ClientService.IssuedKey client, String query) {
        JsonNode page = http().apiKey(client.apiKey())
                .get("/document_webhooks/deliveries" + query)
                .json();
        return StreamSupport.stream(page.get("items").spliterator(), false).toList();
    }

    @Test
    void anEndpointIsActiveUntilItFails() {
        ClientService.IssuedKey client = newClient();
        TestReceiver receiver = receiver();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        JsonNode fresh = status(client, webhookId);
        assertThat(fresh.get("state").asString()).isEqualTo("ACTIVE");
        assertThat(fresh.get("consecutiveFailures").asInt()).isZero();
        assertThat(fresh.get("disabledAt").isNull()).isTrue();

        awaitStatus(client, deliver(client, "ok-1"), "SUCCEEDED");
        JsonNode after = status(client, webhookId);
        assertThat(after.get("state").asString()).isEqualTo("ACTIVE");
        assertThat(after.get("lastSuccessAt").isNull()).isFalse();
        assertThat(after.get("lastFailureAt").isNull()).isTrue();
    }

    @Test
    void disablesAnEndpointWithNoSuccessForTheWindowAndSeveralFailedAttempts() {
        ClientService.IssuedKey client = newClient();
        TestReceiver receiver = receiver().byDefault(request -> TestReceiver.Reply.status(500));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        double disabledBefore = stateChanges("DISABLED");

        deliver(client, "dead-1");

        JsonNode status = awaitState(client, webhookId, "DISABLED");
        assertThat(status.get("reason").asString()).startsWith("no successful attempt since");
        assertThat(status.get("consecutiveFailures").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(status.get("disabledAt").isNull()).isFalse();
        assertThat(status.get("lastFailureAt").isNull()).isFalse();
        assertThat(status.get("lastSuccessAt").isNull()).isTrue();
        assertThat(stateChanges("DISABLED")).isGreaterThan(disabledBefore);
    }

    @Test
    void disablesAnEndpointAtOnceWhenItAnswersGone() {
        ClientService.IssuedKey client = newClient();
        TestReceiver receiver = receiver().byDefault(request -> TestReceiver.Reply.status(410));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        awaitStatus(client, deliver(client, "gone-1"), "FAILED");

        JsonNode status = awaitState(client, webhookId, "DISABLED");
        assertThat(status.get("reason").asString()).contains("410 Gone");
        assertThat(status.get("consecutiveFailures").asInt()).isEqualTo(1);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void holdsTheDeliveriesOfADisabledEndpointWithoutAttemptingThem() {
        ClientService.IssuedKey client = newClient();
        TestReceiver receiver = receiver().replies(TestReceiver.Reply.status(410));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        deliver(client, "gone-first");
        awaitState(client, webhookId, "DISABLED");

        List<String> held = List.of(deliver(client, "held-1"), deliver(client, "held-2"));
        // A delivery of another client, made after them, arriving proves claims have run since they were due.
        ClientService.IssuedKey other = newClient();
        TestReceiver otherReceiver = receiver();
        registerWebhook(other, simpleWebhook("POST", otherReceiver.url("/cb/:id")));
        awaitStatus(other, deliver(other, "other-1"), "SUCCEEDED");

        for (String id : held) {
            JsonNode delivery = delivery(client, id);
            assertThat(delivery.get("status").asString()).isEqualTo("HELD");
            assertThat(delivery.get("attemptCount").asInt()).isZero();
            assertThat(delivery.get("nextAttemptAt").isNull()).isTrue();
        }
        assertThat(receiver.received()).hasSize(1);
        assertThat(logItems(client, "?status=HELD"))
                .extracting(item -> item.get("id").asString())
                .containsExactlyInAnyOrderElementsOf(held);
        assertThat(logItems(client, "?status=PENDING")).isEmpty();
        assertThat(logItems(client, "?status=FAILED")).hasSize(1);
    }

    @Test
    void enablingReleasesTheHeldDeliveries() {
        ClientService.IssuedKey client = newClient();
        TestReceiver receiver = receiver().replies(TestReceiver.Reply.status(410));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        deliver(client, "gone-first");
        awaitState(client, webhookId, "DISABLED");
        List<String> held = List.of(deliver(client, "held-a"), deliver(client, "held-b"), deliver(client, "held-c"));
        double enabledBefore = stateChanges("ACTIVE");

        TestHttp.Response enabled =
                http().apiKey(client.apiKey()).post("/document_webhooks/" + webhookId + "/enable", "");

        assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
        assertThat(enabled.json().get("state").asString()).isEqualTo("ACTIVE");
        assertThat(enabled.json().get("consecutiveFailures").asInt()).isZero();
        assertThat(enabled.json().get("disabledAt").isNull()).isTrue();
        held.forEach(id -> awaitStatus(client, id, "SUCCEEDED"));
        assertThat(receiver.received()).hasSize(1 + held.size());
        assertThat(stateChanges("ACTIVE")).isGreaterThan(enabledBefore);
        TestHttp.Response again =
                http().apiKey(client.apiKey()).post("/document_webhooks/" + webhookId + "/enable", "");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("state").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void tellsTheOperatorOfEachStateChangeSigned() throws Exception {
        ClientService.IssuedKey client = newClient();
        TestReceiver receiver = receiver().replies(TestReceiver.Reply.status(410));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id?token=secret")));
        deliver(client, "gone-first");
        awaitState(client, webhookId, "DISABLED");
        http().apiKey(client.apiKey()).post("/document_webhooks/" + webhookId + "/enable", "");

        List<TestReceiver.Received> told = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            told.clear();
            told.addAll(OPERATOR.received().stream()
                    .filter(request -> request.body().contains(webhookId))
                    .toList());
            assertThat(told).hasSize(2);
        });
        JsonNode disabled = json(told.get(0).body());
        assertThat(disabled.get("type").asString()).isEqualTo("endpoint.disabled");
        assertThat(disabled.get("clientId").asString())
                .isEqualTo(client.clientId().toString());
        assertThat(disabled.get("webhookId").asString()).isEqualTo(webhookId);
        assertThat(disabled.get("reason").asString()).contains("410 Gone");
        assertThat(disabled.get("at").isNull()).isFalse();
        assertThat(json(told.get(1).body()).get("type").asString()).isEqualTo("endpoint.enabled");
        for (TestReceiver.Received request : told) {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.body()).doesNotContain("secret").doesNotContain("127.0.0.1");
            assertThat(request.header("webhook-signature")).isEqualTo("v1," + signature(request));
        }
    }

    @Test
    void aFailingOperatorEndpointNeitherHoldsUpTheDisablingNorLosesTheNotification() {
        ClientService.IssuedKey client = newClient();
        TestReceiver receiver = receiver().replies(TestReceiver.Reply.status(410));
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        OPERATOR.replies(TestReceiver.Reply.status(503));

        deliver(client, "gone-first");

        awaitState(client, webhookId, "DISABLED");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> OPERATOR.received().stream()
                                .filter(request -> request.body().contains(webhookId))
                                .count()
                        == 2); // refused once, then tried again
        List<String> ids = OPERATOR.received().stream()
                .filter(request -> request.body().contains(webhookId))
                .map(request -> request.header("webhook-id"))
                .distinct()
                .toList();
        assertThat(ids).as("one message id across tries").hasSize(1);
    }

    @Test
    void statusAndEnableAreTheCallersOwnWebhookOnlyUnderEveryAlias() {
        ClientService.IssuedKey owner = newClient();
        String webhookId =
                registerWebhook(owner, simpleWebhook("POST", receiver().url("/cb/:id")));
        ClientService.IssuedKey stranger = newClient();

        TestHttp asStranger = http().apiKey(stranger.apiKey());
        assertThat(asStranger.get("/document_webhooks/" + webhookId + "/status").status())
                .isEqualTo(404);
        TestHttp.Response enable = asStranger.post("/document_webhooks/" + webhookId + "/enable", "");
        assertThat(enable.status()).isEqualTo(404);
        assertThat(enable.contentType()).isEqualTo("application/problem+json");
        assertThat(asStranger
                        .get("/document_webhooks/" + webhookId + "/delivery_settings")
                        .status())
                .isEqualTo(404);

        TestHttp legacy = http().header("X-API-KEY", owner.apiKey());
        assertThat(legacy.get("/api_document/document_webhooks/" + webhookId + "/status")
                        .status())
                .isEqualTo(200);
        assertThat(legacy.post("/api_document/document_webhooks/" + webhookId + "/enable", "")
                        .status())
                .isEqualTo(200);
        assertThat(http().get("/document_webhooks/" + webhookId + "/status").status())
                .isEqualTo(401);
        assertThat(http().apiKey(owner.apiKey())
                        .get("/document_webhooks/not-a-uuid/status")
                        .status())
                .isEqualTo(400);
    }

    private static JsonNode json(String body) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body);
    }

    /** The Standard Webhooks signature of a request, computed here from the secret. */
    private static String signature(TestReceiver.Received request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(
                Base64.getDecoder().decode(OPERATOR_SECRET.substring("whsec_".length())), "HmacSHA256"));
        String signed = request.header("webhook-id") + "." + request.header("webhook-timestamp") + "." + request.body();
        return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }
}
