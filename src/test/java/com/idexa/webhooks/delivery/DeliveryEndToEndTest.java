package com.idexa.webhooks.delivery;

import static com.idexa.webhooks.support.TestHttp.assertRefusedField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Deliveries through real HTTP: intake, the dispatcher, stand-in endpoints on loopback, the delivery log. */
class DeliveryEndToEndTest extends DeliveryTestSupport {

    private final TestReceiver receiver = TestReceiver.start();

    @Autowired
    JdbcClient jdbc;

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void deliversTheDocumentationExampleEndToEnd() {
        receiver.byDefault(request -> request.path().equals("/login")
                ? Reply.json(
                        200, "{\"access_token\": \"tok-Alpha-1\", \"token_type\": \"bearer\", \"expires_in\": 3600}")
                : Reply.status(200));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, """
                {"name": "Webhook 1", "type": 0, "method": "POST",
                 "headers": {"Content-Type": "application/json", "X-Tenant": "acme"},
                 "headerAuth": "Bearer",
                 "url": "%s",
                 "authorizationUrl": "%s", "authorizationMethod": "POST",
                 "authorizationHeaders": {"Content-Type": "application/x-www-form-urlencoded"},
                 "authorizationBody": {"username": "root", "password": "r00t&pw"},
                 "authorizationResponseTokenAttr": "access_token"}""".formatted(receiver.url("/ocr_feedback/:id"), receiver.url("/login")));
        String document = "{\"id\":\"doc 42/é\",\"externalId\":\"A-17\",\"type\":24,\"data\":{\"total\":12.5},"
                + "\"processTime\":null,\"status\":1,\"statusDesc\":\"FINISHED\",\"createdAt\":\"2022-10-14 14:38:50.045316\"}";

        TestHttp.Response accepted = reportDocument(client, "evt-1", document);
        Instant acceptedAt = Instant.now();

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String deliveryId = accepted.json().get("deliveryId").asString();
        assertThat(accepted.json().get("eventId").asString()).isEqualTo("evt-1");
        JsonNode done = awaitStatus(client, deliveryId, "SUCCEEDED");

        TestReceiver.Received login = receiver.received("/login").get(0);
        assertThat(login.method()).isEqualTo("POST");
        assertThat(login.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(login.body()).isEqualTo("username=root&password=r00t%26pw");

        TestReceiver.Received callback = receiver.received("/ocr_feedback/").get(0);
        assertThat(callback.method()).isEqualTo("POST");
        assertThat(callback.path()).isEqualTo("/ocr_feedback/doc%2042%2F%C3%A9");
        assertThat(callback.header("Authorization")).isEqualTo("Bearer tok-Alpha-1");
        assertThat(callback.header("Content-Type")).isEqualTo("application/json");
        assertThat(callback.header("X-Tenant")).isEqualTo("acme");
        assertThat(callback.header("webhook-id")).isEqualTo(deliveryId);
        assertThat(Long.parseLong(callback.header("webhook-timestamp")))
                .isBetween(acceptedAt.getEpochSecond() - 5, acceptedAt.getEpochSecond() + 5);
        assertThat(callback.header("User-Agent")).startsWith("document-webhooks/");
        assertThat(callback.body()).isEqualTo(document);

        assertThat(done.get("attemptCount").asInt()).isEqualTo(1);
        assertThat(done.get("documentId").asString()).isEqualTo("doc 42/é");
        assertThat(done.get("lastStatusCode").asInt()).isEqualTo(200);
        assertThat(done.get("nextAttemptAt").isNull()).isTrue();
        JsonNode attempt = done.get("attempts").get(0);
        assertThat(attempt.get("statusCode").asInt()).isEqualTo(200);
        assertThat(attempt.get("method").asString()).isEqualTo("POST");
        assertThat(attempt.get("url").asString()).isEqualTo(receiver.url("/ocr_feedback/doc%2042%2F%C3%A9"));
        assertThat(done.toString()).doesNotContain("tok-Alpha-1").doesNotContain("r00t");
    }

    @Test
    void sendsTheFixedAuthorization() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, """
                {"name": "n", "type": 0, "method": "PUT", "url": "%s", "authorization": "Basic Zml4ZWQ6c2VjcmV0"}""".formatted(receiver.url("/docs/:id/done")));

        awaitStatus(client, deliver(client, "d-1"), "SUCCEEDED");

        TestReceiver.Received callback = receiver.received().get(0);
        assertThat(callback.method()).isEqualTo("PUT");
        assertThat(callback.path()).isEqualTo("/docs/d-1/done");
        assertThat(callback.header("Authorization")).isEqualTo("Basic Zml4ZWQ6c2VjcmV0");
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void getAndDeleteCarryNoBody() {
        for (String method : List.of("GET", "DELETE")) {
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook(method, receiver.url("/" + method + "/:id")));

            awaitStatus(client, deliver(client, "doc-" + method), "SUCCEEDED");

            TestReceiver.Received callback =
                    receiver.received("/" + method + "/").get(0);
            assertThat(callback.method()).isEqualTo(method);
            assertThat(callback.body()).isEmpty();
            assertThat(callback.header("Content-Type")).isNull();
        }
    }

    @Test
    void retriesAfterServerErrorThenSucceeds() {
        receiver.replies(Reply.status(500), Reply.withHeader(503, "Retry-After", "0"), Reply.status(200));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        JsonNode done = awaitStatus(client, deliver(client, "retry-me"), "SUCCEEDED");

        assertThat(done.get("attemptCount").asInt()).isEqualTo(3);
        List<Integer> statuses = new ArrayList<>();
        done.get("attempts")
                .forEach(attempt -> statuses.add(attempt.get("statusCode").asInt()));
        assertThat(statuses).containsExactly(500, 503, 200);
        assertThat(done.get("attempts").get(0).get("error").asString()).isEqualTo("HTTP 500");
        assertThat(receiver.received())
                .allSatisfy(request -> assertThat(request.header("webhook-id"))
                        .isEqualTo(done.get("id").asString()));
    }

    @Test
    void failsAfterTheLastRetry() {
        receiver.byDefault(request -> Reply.json(500, "{\"error\": \"down\"}"));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        JsonNode failed = awaitStatus(client, deliver(client, "doomed"), "FAILED");

        assertThat(failed.get("attemptCount").asInt()).isEqualTo(4); // first try + 3 configured retries
        assertThat(failed.get("lastError").asString()).isEqualTo("HTTP 500");
        assertThat(failed.get("attempts").get(3).get("responseBody").asString()).isEqualTo("{\"error\": \"down\"}");
        assertThat(failed.get("nextAttemptAt").isNull()).isTrue();
    }

    @Test
    void keepsAnyResponseBodyInTheLogEvenBinaryOrOddlyQuoted() {
        String odd = "{\"quote\": \"a\\\"b\", \"path\": \"C:\\\\x\"} {braces}, commas \u0000 nul";
        receiver.replies(Reply.json(500, odd));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        JsonNode done = awaitStatus(client, deliver(client, "odd-body"), "SUCCEEDED");

        assertThat(done.get("attempts").get(0).get("responseBody").asString())
                .isEqualTo(odd.replace('\u0000', '\uFFFD'));
    }

    @Test
    void goneStopsRetryingAtOnce() {
        receiver.byDefault(request -> Reply.status(410));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        JsonNode failed = awaitStatus(client, deliver(client, "gone"), "FAILED");

        assertThat(failed.get("attemptCount").asInt()).isEqualTo(1);
        assertThat(failed.get("lastError").asString()).contains("410");
    }

    @Test
    void doesNotFollowRedirects() {
        receiver.byDefault(request -> request.path().startsWith("/elsewhere")
                ? Reply.status(200)
                : Reply.withHeader(302, "Location", receiver.url("/elsewhere")));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "moved");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                delivery(client, deliveryId).get("attemptCount").asInt())
                        .isGreaterThanOrEqualTo(1));

        JsonNode attempt = delivery(client, deliveryId).get("attempts").get(0);
        assertThat(attempt.get("statusCode").asInt()).isEqualTo(302);
        assertThat(attempt.get("error").asString()).contains("redirects are not followed");
        assertThat(receiver.received("/elsewhere")).isEmpty();
    }

    @Test
    void cachesTheTokenAndFetchesANewOneOn401() {
        List<String> issued = new ArrayList<>(List.of("tok-1", "tok-2", "tok-3"));
        receiver.byDefault(request -> {
            if (request.path().equals("/auth")) {
                return Reply.json(200, "{\"data\": {\"token\": \"" + issued.remove(0) + "\", \"expires_in\": 600}}");
            }
            return "Token tok-1".equals(request.header("Authorization"))
                            && receiver.received("/hook/").size() > 2
                    ? Reply.status(401)
                    : Reply.status(200);
        });
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, """
                {"name": "n", "type": 0, "method": "POST", "url": "%s", "headerAuth": "Token",
                 "authorizationUrl": "%s", "authorizationBody": {"apiKey": "client-key-123"},
                 "authorizationResponseTokenAttr": "data.token"}""".formatted(receiver.url("/hook/:id"), receiver.url("/auth")));

        awaitStatus(client, deliver(client, "first"), "SUCCEEDED");
        awaitStatus(client, deliver(client, "second"), "SUCCEEDED");
        assertThat(receiver.received("/auth"))
                .as("the second delivery reuses the cached token")
                .hasSize(1);
        assertThat(receiver.received("/auth").get(0).body()).isEqualTo("{\"apiKey\":\"client-key-123\"}");
        assertThat(receiver.received("/auth").get(0).header("Content-Type")).isEqualTo("application/json");

        JsonNode third = awaitStatus(client, deliver(client, "third"), "SUCCEEDED");

        assertThat(receiver.received("/auth"))
                .as("a 401 drops the token and fetches a new one")
                .hasSize(2);
        List<TestReceiver.Received> hooks = receiver.received("/hook/third");
        assertThat(hooks)
                .extracting(request -> request.header("Authorization"))
                .containsExactly("Token tok-1", "Token tok-2");
        assertThat(third.get("attemptCount").asInt()).isEqualTo(1);
    }

    @Test
    void aFailedTokenFetchIsAFailedAttemptThatSaysWhatTheEndpointDid() {
        receiver.byDefault(request -> request.path().equals("/login") ? Reply.status(403) : Reply.status(200));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, """
                {"name": "n", "type": 0, "method": "POST", "url": "%s", "headerAuth": "Bearer",
                 "authorizationUrl": "%s", "authorizationBody": {"password": "hunter2-secret"}}""".formatted(receiver.url("/hook/:id"), receiver.url("/login")));
        String deliveryId = deliver(client, "no-token");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                delivery(client, deliveryId).get("attemptCount").asInt())
                        .isGreaterThanOrEqualTo(1));

        JsonNode attempt = delivery(client, deliveryId).get("attempts").get(0);
        assertThat(attempt.get("error").asString()).isEqualTo("token fetch failed: token endpoint answered HTTP 403");
        assertThat(attempt.get("statusCode").isNull()).isTrue();
        assertThat(receiver.received("/hook/")).isEmpty();
        assertThat(delivery(client, deliveryId).toString()).doesNotContain("hunter2");
    }

    @Test
    void intakeIsIdempotentPerEventId() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        TestHttp.Response first = reportDocument(client, "evt-same", "{\"id\": \"d\"}");
        TestHttp.Response second = reportDocument(client, "evt-same", "{\"id\": \"d\"}");

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.json()).isEqualTo(first.json());
        awaitStatus(client, first.json().get("deliveryId").asString(), "SUCCEEDED");
        JsonNode log = http().apiKey(client.apiKey())
                .get("/document_webhooks/deliveries")
                .json();
        assertThat(log.get("items")).hasSize(1);
    }

    @Test
    void recordsTheEventEvenWithoutAWebhook() {
        TestHttp.Response response = reportDocument(newClient(), null, "{\"id\": \"orphan\"}");

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.json().get("deliveryId").isNull()).isTrue();
        assertThat(response.json().get("eventId").asString()).isNotBlank();
    }

    @Test
    void intakeRefusesBadTokensUnknownClientsAndInvalidBodies() {
        ClientService.IssuedKey client = newClient();
        String body = "{\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": {\"id\": \"x\"}}";
        assertThat(http().post("/internal/document_events", body).status()).isEqualTo(401);
        assertThat(http().bearer(ADMIN_TOKEN)
                        .post("/internal/document_events", body)
                        .status())
                .isEqualTo(401);
        assertThat(http().apiKey(client.apiKey())
                        .post("/internal/document_events", body)
                        .status())
                .isEqualTo(401);

        TestHttp intake = http().bearer(INTERNAL_TOKEN);
        assertThat(intake.post(
                                "/internal/document_events",
                                body.replace(client.clientId().toString(), "00000000-0000-0000-0000-000000000009"))
                        .status())
                .isEqualTo(404);
        assertRefusedField(
                intake.post("/internal/document_events", body.replace("{\"id\": \"x\"}", "{\"status\": 1}")),
                "document.id");
        assertRefusedField(
                intake.post("/internal/document_events", body.replace("\"type\": 0", "\"type\": 7")), "type");
        assertRefusedField(intake.post("/internal/document_events", body.replace("\"type\": 0, ", "")), "type");
        assertRefusedField(
                intake.post(
                        "/internal/document_events",
                        body.replace(client.clientId().toString(), "nope")),
                "clientId");
        assertRefusedField(
                intake.post(
                        "/internal/document_events", "{\"eventId\": \"" + "e".repeat(201) + "\", " + body.substring(1)),
                "eventId");
        assertRefusedField(
                intake.post("/internal/document_events", body.replace("{\"id\": \"x\"}", "[1]")), "document");
    }

    @Test
    void cancelsWhenTheWebhookIsGoneAtAttemptTime() {
        receiver.replies(Reply.status(500));
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "cancel-me");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
        assertThat(http().apiKey(client.apiKey())
                        .delete("/document_webhooks/" + webhookId)
                        .status())
                .isEqualTo(204);

        JsonNode cancelled = awaitStatus(client, deliveryId, "CANCELLED");

        assertThat(cancelled.get("lastError").asString()).contains("no webhook");
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void aPendingDeliveryFollowsARecreatedWebhook() {
        receiver.replies(Reply.status(500));
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/old/:id")));
        String deliveryId = deliver(client, "moving");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
        http().apiKey(client.apiKey()).delete("/document_webhooks/" + webhookId);
        registerWebhook(client, simpleWebhook("PUT", receiver.url("/new/:id")));

        awaitStatus(client, deliveryId, "SUCCEEDED");

        assertThat(receiver.received("/new/moving")).hasSize(1);
        assertThat(receiver.received("/new/moving").get(0).method()).isEqualTo("PUT");
    }

    @Test
    void retriesAFinishedDeliveryOnRequest() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "again");
        awaitStatus(client, deliveryId, "SUCCEEDED");

        TestHttp.Response retry =
                http().apiKey(client.apiKey()).post("/document_webhooks/deliveries/" + deliveryId + "/retry", null);

        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.json().get("deliveryId").asString()).isEqualTo(deliveryId);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 2);
        JsonNode again = awaitStatus(client, deliveryId, "SUCCEEDED");
        await().untilAsserted(() -> assertThat(
                        delivery(client, deliveryId).get("attemptCount").asInt())
                .isEqualTo(2));
        assertThat(receiver.received())
                .extracting(request -> request.header("webhook-id"))
                .containsOnly(deliveryId);
        assertThat(again.get("id").asString()).isEqualTo(deliveryId);
        TestHttp.Response stranger = http().apiKey(newClient().apiKey())
                .post("/document_webhooks/deliveries/" + deliveryId + "/retry", null);
        assertThat(stranger.status()).isEqualTo(404);
    }

    @Test
    void refusesToRetryAPendingDelivery() {
        receiver.byDefault(request -> Reply.status(500));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "busy");

        TestHttp.Response retry =
                http().apiKey(client.apiKey()).post("/document_webhooks/deliveries/" + deliveryId + "/retry", null);

        assertThat(retry.status()).isEqualTo(409);
        assertThat(retry.json().get("detail").asString()).contains("PENDING");
    }

    @Test
    void sendsATestDeliveryToTheCurrentWebhook() {
        ClientService.IssuedKey client = newClient();
        assertThat(http().apiKey(client.apiKey())
                        .post("/document_webhooks/test", null)
                        .status())
                .isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM events WHERE client_id = ?")
                        .param(client.clientId())
                        .query(Long.class)
                        .single())
                .as("a refused test delivery records no event")
                .isZero();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        TestHttp.Response test = http().apiKey(client.apiKey()).post("/document_webhooks/test", null);

        assertThat(test.status()).isEqualTo(202);
        awaitStatus(client, test.json().get("deliveryId").asString(), "SUCCEEDED");
        TestReceiver.Received callback = receiver.received().get(0);
        assertThat(callback.path()).startsWith("/cb/test-");
        assertThat(callback.body()).contains("\"statusDesc\":\"FINISHED\"").contains("\"externalId\":\"webhook-test\"");
    }

    @Test
    void listsDeliveriesNewestFirstWithFiltersAndCursor() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(deliver(client, "page-" + i));
        }
        ids.forEach(id -> awaitStatus(client, id, "SUCCEEDED"));
        TestHttp api = http().apiKey(client.apiKey());

        JsonNode first = api.get("/document_webhooks/deliveries?limit=2").json();
        JsonNode second = api.get("/document_webhooks/deliveries?limit=2&cursor="
                        + first.get("nextCursor").asString())
                .json();
        JsonNode third = api.get("/document_webhooks/deliveries?limit=2&cursor="
                        + second.get("nextCursor").asString())
                .json();

        List<String> listed = new ArrayList<>();
        for (JsonNode page : List.of(first, second, third)) {
            page.get("items").forEach(item -> listed.add(item.get("id").asString()));
        }
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertThat(listed).containsExactlyElementsOf(newestFirst);
        assertThat(third.get("nextCursor").isNull()).isTrue();
        JsonNode item = first.get("items").get(0);
        assertThat(item.propertyNames())
                .containsExactly(
                        "id",
                        "eventId",
                        "documentId",
                        "status",
                        "attemptCount",
                        "createdAt",
                        "lastAttemptAt",
                        "nextAttemptAt",
                        "lastStatusCode",
                        "lastError");

        JsonNode byDocument =
                api.get("/document_webhooks/deliveries?documentId=page-3").json();
        assertThat(byDocument.get("items")).hasSize(1);
        assertThat(byDocument.get("items").get(0).get("id").asString()).isEqualTo(ids.get(3));
        assertThat(api.get("/document_webhooks/deliveries?status=FAILED").json().get("items"))
                .isEmpty();
        assertThat(api.get("/document_webhooks/deliveries?status=SUCCEEDED")
                        .json()
                        .get("items"))
                .hasSize(5);

        assertThat(api.get("/document_webhooks/deliveries?status=NOPE").status())
                .isEqualTo(400);
        assertThat(api.get("/document_webhooks/deliveries?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/document_webhooks/deliveries?cursor=%21%21%21").status())
                .isEqualTo(400);
        assertThat(api.get("/document_webhooks/deliveries?cursor=bm9wZQ").status())
                .isEqualTo(400);
        for (String forged : new String[] {"-9223372036854775808", "9223372036854775807"}) {
            String cursor = java.util.Base64.getUrlEncoder()
                    .encodeToString((forged + ":" + ids.get(0)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(api.get("/document_webhooks/deliveries?cursor=" + cursor).status())
                    .as(forged)
                    .isEqualTo(400);
        }
    }

    @Test
    void anotherClientsDeliveriesAreNotFound() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "private");
        ClientService.IssuedKey stranger = newClient();

        assertThat(http().apiKey(stranger.apiKey())
                        .get("/document_webhooks/deliveries/" + deliveryId)
                        .status())
                .isEqualTo(404);
        assertThat(http().apiKey(stranger.apiKey())
                        .get("/document_webhooks/deliveries")
                        .json()
                        .get("items"))
                .isEmpty();
        assertThat(http().get("/document_webhooks/deliveries").status()).isEqualTo(401);
    }
}
