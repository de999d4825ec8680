package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Received;
import com.idexa.webhooks.support.TestReceiver.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code PUT /document_webhooks/{id}}: a client changes its webhook without missing a document. */
class ReplaceWebhookTest extends DeliveryTestSupport {

    private TestReceiver oldEndpoint;
    private TestReceiver newEndpoint;
    private ClientService.IssuedKey client;

    @BeforeEach
    void endpoints() {
        oldEndpoint = TestReceiver.start();
        newEndpoint = TestReceiver.start();
        client = newClient();
    }

    @AfterEach
    void closeEndpoints() {
        oldEndpoint.close();
        newEndpoint.close();
    }

    @Test
    void documentsFinishingDuringAReplaceAllArriveAndThoseAfterItAtTheNewUrl() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", oldEndpoint.url("/old/:id")));
        AtomicBoolean replaced = new AtomicBoolean();
        AtomicInteger reported = new AtomicInteger();
        Set<String> afterReplace = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CountDownLatch someReported = new CountDownLatch(20);
        int total = 80;
        CompletableFuture<Void> platform = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                boolean afterIt = replaced.get(); // read before the report: this event surely came after the PUT
                String documentId = "doc-" + i;
                deliver(client, documentId);
                if (afterIt) {
                    afterReplace.add(documentId);
                }
                reported.incrementAndGet();
                someReported.countDown();
            }
        });
        assertThat(someReported.await(30, TimeUnit.SECONDS)).isTrue();

        TestHttp.Response put = http().apiKey(client.apiKey())
                .put("/document_webhooks/" + webhookId, simpleWebhook("POST", newEndpoint.url("/new/:id")));
        replaced.set(true);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("url").asString()).isEqualTo(newEndpoint.url("/new/:id"));
        platform.get(60, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> documentIds(oldEndpoint).size()
                                + documentIds(newEndpoint).size()
                        >= total);
        Set<String> all = new HashSet<>(documentIds(oldEndpoint));
        all.addAll(documentIds(newEndpoint));
        assertThat(all).hasSize(total);
        assertThat(afterReplace).isNotEmpty();
        assertThat(documentIds(newEndpoint)).containsAll(afterReplace);
        assertThat(documentIds(oldEndpoint)).doesNotContainAnyElementsOf(afterReplace);
        assertThat(http().apiKey(client.apiKey())
                        .get("/document_webhooks/deliveries?status=CANCELLED")
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void aDeliveryWaitingToRetryFollowsTheNewConfiguration() {
        oldEndpoint.byDefault(request -> Reply.status(500));
        String webhookId = registerWebhook(client, simpleWebhook("POST", oldEndpoint.url("/old/:id")));
        String deliveryId = deliver(client, "doc-retried");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !oldEndpoint.received().isEmpty());

        TestHttp.Response put = http().apiKey(client.apiKey())
                .put("/document_webhooks/" + webhookId, simpleWebhook("PUT", newEndpoint.url("/new/:id")));
        assertThat(put.status()).as(put.body()).isEqualTo(200);

        awaitStatus(client, deliveryId, "SUCCEEDED");
        assertThat(newEndpoint.received()).hasSize(1);
        assertThat(newEndpoint.received().get(0).method()).isEqualTo("PUT");
        assertThat(newEndpoint.received().get(0).path()).isEqualTo("/new/doc-retried");
    }

    @Test
    void theIdCreationTimeAndSigningSecretStay() throws Exception {
        TestHttp api = http().apiKey(client.apiKey());
        String webhookId = registerWebhook(client, simpleWebhook("POST", oldEndpoint.url("/old/:id")));
        TestHttp.Response before = api.get("/document_webhooks/" + webhookId);
        String secret = api.get("/document_webhooks/" + webhookId + "/secret")
                .json()
                .get("key")
                .asString();

        TestHttp.Response put = api.put("/document_webhooks/" + webhookId, """
                {"name": "Renamed", "type": 0, "method": "POST", "url": "%s",
                 "headers": {"X-Api-Key": "new-key-value"}}""".formatted(newEndpoint.url("/new/:id")));

        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("id").asString()).isEqualTo(webhookId);
        assertThat(put.json().get("name").asString()).isEqualTo("Renamed");
        assertThat(put.json().get("headers").get("X-Api-Key").asString()).isEqualTo("****");
        assertThat(put.json().get("createdAt").asString())
                .isEqualTo(before.json().get("createdAt").asString());
        assertThat(put.json().get("updatedAt").asString())
                .isNotEqualTo(before.json().get("updatedAt").asString());
        assertThat(api.get("/document_webhooks").body()).isEqualTo(put.body());
        assertThat(api.get("/document_webhooks/" + webhookId + "/secret")
                        .json()
                        .get("key")
                        .asString())
                .isEqualTo(secret);

        deliver(client, "doc-after-put");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !newEndpoint.received().isEmpty());
        Received request = newEndpoint.received().get(0);
        assertThat(request.header("X-Api-Key")).isEqualTo("new-key-value");
        SignedDeliveriesTest.verifyHmac(secret, request);
    }

    @Test
    void aTokenFetchedForTheOldConfigurationIsNotUsedAfterAReplace() {
        TestReceiver tokens = oldEndpoint;
        tokens.byDefault(request -> request.path().equals("/login-old")
                ? Reply.json(200, "{\"access_token\": \"old-token\", \"expires_in\": 3600}")
                : Reply.json(200, "{\"access_token\": \"new-token\", \"expires_in\": 3600}"));
        String webhookId = registerWebhook(client, tokenWebhook(tokens.url("/login-old")));
        awaitStatus(client, deliver(client, "doc-old-token"), "SUCCEEDED");
        assertThat(newEndpoint.received().get(0).header("Authorization")).isEqualTo("Bearer old-token");

        TestHttp.Response put = http().apiKey(client.apiKey())
                .put("/document_webhooks/" + webhookId, tokenWebhook(tokens.url("/login-new")));
        assertThat(put.status()).as(put.body()).isEqualTo(200);

        awaitStatus(client, deliver(client, "doc-new-token"), "SUCCEEDED");
        assertThat(newEndpoint.received().get(1).header("Authorization")).isEqualTo("Bearer new-token");
    }

    @Test
    void anInvalidReplacementIsRefusedAndChangesNothing() {
        TestHttp api = http().apiKey(client.apiKey());
        String webhookId = registerWebhook(client, simpleWebhook("POST", oldEndpoint.url("/old/:id")));
        String before = api.get("/document_webhooks/" + webhookId).body();

        List<TestHttp.Response> refused = new ArrayList<>();
        refused.add(api.put("/document_webhooks/" + webhookId, simpleWebhook("POST", "http://example.com/no-id")));
        refused.add(api.put("/document_webhooks/" + webhookId, "{\"name\": \"x\"}"));
        refused.add(api.put("/document_webhooks/" + webhookId, "{\"name\": "));
        refused.add(api.put(
                "/document_webhooks/" + webhookId,
                simpleWebhook("POST", oldEndpoint.url("/old/:id")).replace("}", ", \"typo\": 1}")));
        refused.add(api.send("PUT", "/document_webhooks/" + webhookId, "name=x", "application/x-www-form-urlencoded"));
        for (TestHttp.Response response : refused) {
            assertThat(response.status()).as(response.body()).isBetween(400, 415);
            assertThat(response.contentType()).isEqualTo("application/problem+json");
        }
        TestHttp.assertRefusedField(refused.get(0), "url");
        assertThat(api.get("/document_webhooks/" + webhookId).body()).isEqualTo(before);
    }

    @Test
    void onlyTheClientsOwnWebhookCanBeReplaced() {
        String webhookId = registerWebhook(client, simpleWebhook("POST", oldEndpoint.url("/old/:id")));
        String before = http().apiKey(client.apiKey())
                .get("/document_webhooks/" + webhookId)
                .body();
        ClientService.IssuedKey stranger = newClient();
        String body = simpleWebhook("POST", newEndpoint.url("/new/:id"));

        assertThat(http().apiKey(stranger.apiKey())
                        .put("/document_webhooks/" + webhookId, body)
                        .status())
                .isEqualTo(404);
        assertThat(http().put("/document_webhooks/" + webhookId, body).status()).isEqualTo(401);
        assertThat(http().apiKey(client.apiKey())
                        .put("/document_webhooks/" + java.util.UUID.randomUUID(), body)
                        .status())
                .isEqualTo(404);
        assertThat(http().apiKey(client.apiKey())
                        .get("/document_webhooks/" + webhookId)
                        .body())
                .isEqualTo(before);

        TestHttp.Response aliased =
                http().header("X-API-KEY", client.apiKey()).put("/api_document/document_webhooks/" + webhookId, body);
        assertThat(aliased.status()).as(aliased.body()).isEqualTo(200);
        assertThat(aliased.json().get("url").asString()).isEqualTo(newEndpoint.url("/new/:id"));
    }

    private String tokenWebhook(String loginUrl) {
        return """
                {"name": "t", "type": 0, "method": "POST", "url": "%s", "headerAuth": "Bearer",
                 "authorizationUrl": "%s", "authorizationBody": {"user": "u"}}""".formatted(newEndpoint.url("/cb/:id"), loginUrl);
    }

    private static Set<String> documentIds(TestReceiver receiver) {
        Set<String> ids = new HashSet<>();
        for (Received request : receiver.received()) {
            ids.add(request.path().substring(request.path().lastIndexOf('/') + 1));
        }
        return ids;
    }
}
