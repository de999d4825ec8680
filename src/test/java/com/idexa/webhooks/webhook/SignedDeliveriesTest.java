package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.signing.SigningKey;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Received;
import com.idexa.webhooks.support.TestReceiver.Reply;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Deliveries carry Standard Webhooks signatures that code we did not write accepts: the reference library
 * ({@code com.standardwebhooks:standardwebhooks}) for the HMAC ones ({@code v1}), the JDK's own Ed25519 for the
 * asymmetric ones ({@code v1a}; the service signs with Bouncy Castle's). Every request here is a real one, as the
 * receiver got it.
 */
class SignedDeliveriesTest extends DeliveryTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A document with characters outside ASCII: the signature covers the bytes, not the characters. */
    private static final String DOCUMENT = "{\"id\": \"%s\", \"status\": 1, \"statusDesc\": \"Prêt ✓ 📄\"}";

    @Autowired
    WebhookRepository repository;

    @Autowired
    SecretBox secretBox;

    @Autowired
    JdbcClient jdbc;

    private TestReceiver receiver;
    private ClientService.IssuedKey client;

    @BeforeEach
    void receiver() {
        receiver = TestReceiver.start();
        client = newClient();
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    @Test
    void aDeliveryVerifiesWithTheSecretAndWithThePublicKey() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys keys = asymmetricKeys(webhookId);

        Received request = deliverAndReceive("doc-signed");

        assertThat(request.body()).isEqualTo(DOCUMENT.formatted("doc-signed"));
        verifyHmac(keys.key(), request);
        assertThat(verifiesEd25519(keys.publicKey(), request)).isTrue();
        assertThat(entries(request, "v1"))
                .as("the first key, still in its overlap, and this one")
                .hasSize(2);
        assertThat(entries(request, "v1a")).hasSize(1);
        assertThat(request.header("webhook-id")).isNotBlank();
    }

    @Test
    void aChangedBodyIdOrTimestampDoesNotVerify() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys keys = asymmetricKeys(webhookId);
        Received request = deliverAndReceive("doc-tampered");

        Received otherBody = new Received(
                request.method(),
                request.path(),
                request.headers(),
                request.body().replace("1", "2"),
                request.at());
        Received otherId = withHeader(request, "webhook-id", UUID.randomUUID().toString());
        Received otherTime = withHeader(
                request, "webhook-timestamp", Long.toString(Long.parseLong(request.header("webhook-timestamp")) - 1));
        for (Received forged : List.of(otherBody, otherId, otherTime)) {
            assertThatThrownBy(() -> verifyHmac(keys.key(), forged)).isInstanceOf(WebhookVerificationException.class);
            assertThat(verifiesEd25519(keys.publicKey(), forged)).isFalse();
        }
    }

    @Test
    void aGetWebhookSignsAnEmptyBody() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("GET", receiver.url("/cb/:id")));
        JsonKeys keys = asymmetricKeys(webhookId);

        Received request = deliverAndReceive("doc-get");

        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.body()).isEmpty();
        verifyHmac(keys.key(), request);
        assertThat(verifiesEd25519(keys.publicKey(), request)).isTrue();
    }

    @Test
    void aTestDeliveryIsSignedLikeAnyOther() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys keys = asymmetricKeys(webhookId);

        TestHttp.Response sent = http().apiKey(client.apiKey()).post("/document_webhooks/test", "");
        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        Received request = awaitRequests(1).get(0);

        verifyHmac(keys.key(), request);
        assertThat(verifiesEd25519(keys.publicKey(), request)).isTrue();
    }

    @Test
    void theNewSecretVerifiesAtOnceAndTheOldOneStillDoesDuringTheOverlap() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys old = asymmetricKeys(webhookId);
        deliverAndReceive("doc-before"); // the webhook is now opened and kept in memory

        TestHttp.Response rotated =
                http().apiKey(client.apiKey()).post("/document_webhooks/" + webhookId + "/secret/rotate", "");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        JsonKeys fresh = keys(rotated);
        assertThat(fresh.key()).startsWith("whsec_").isNotEqualTo(old.key());
        assertThat(fresh.publicKey())
                .as("a rotation that does not say keeps the choice")
                .startsWith("whpk_");
        assertThat(secret(webhookId)).isEqualTo(fresh);

        Received request = deliverAndReceive("doc-after");
        verifyHmac(old.key(), request);
        verifyHmac(fresh.key(), request);
        assertThat(verifiesEd25519(old.publicKey(), request)).isTrue();
        assertThat(verifiesEd25519(fresh.publicKey(), request)).isTrue();
        assertThat(entries(request, "v1"))
                .as("with the first key, still in its overlap")
                .hasSize(3);
    }

    @Test
    void aNewWebhookSignsV1OnlyUntilItsClientAsksForV1a() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String rotate = "/document_webhooks/" + webhookId + "/secret/rotate";
        JsonKeys first = secret(webhookId);
        assertThat(first.publicKey()).isNull();

        Received hmacOnly = deliverAndReceive("doc-v1-only");
        verifyHmac(first.key(), hmacOnly);
        assertThat(entries(hmacOnly, "v1a")).isEmpty();

        JsonKeys asymmetric = asymmetricKeys(webhookId);
        Received both = deliverAndReceive("doc-v1a-asked");
        assertThat(verifiesEd25519(asymmetric.publicKey(), both)).isTrue();
        assertThat(entries(both, "v1a")).hasSize(1);

        TestHttp.Response optedOut = http().apiKey(client.apiKey()).post(rotate, "{\"asymmetric\": false}");
        assertThat(optedOut.status()).as(optedOut.body()).isEqualTo(200);
        assertThat(keys(optedOut).publicKey()).isNull();
        assertThat(secret(webhookId).publicKey()).isNull();
        Received afterOptOut = deliverAndReceive("doc-v1a-dropped");
        assertThat(entries(afterOptOut, "v1a"))
                .as("only the replaced key, during its overlap, still signs v1a")
                .hasSize(1);
        assertThat(verifiesEd25519(asymmetric.publicKey(), afterOptOut)).isTrue();

        for (String notABoolean : List.of("\"maybe\"", "\"true\"", "1", "0", "\"\"", "[]")) {
            TestHttp.Response refused =
                    http().apiKey(client.apiKey()).post(rotate, "{\"asymmetric\": " + notABoolean + "}");
            assertThat(refused.status()).as(notABoolean + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("true or false");
        }
        assertThat(secret(webhookId).key())
                .as("nothing refused changed")
                .isEqualTo(keys(optedOut).key());

        TestHttp.Response keptByNull = http().apiKey(client.apiKey()).post(rotate, "{\"asymmetric\": null}");
        assertThat(keptByNull.status()).as(keptByNull.body()).isEqualTo(200);
        assertThat(keys(keptByNull).publicKey())
                .as("null keeps the choice, v1 only")
                .isNull();

        String current = keys(keptByNull).key();
        TestHttp.Response sameSecret =
                http().apiKey(client.apiKey()).post(rotate, "{\"key\": \"" + current + "\", \"asymmetric\": true}");
        assertThat(sameSecret.status()).as(sameSecret.body()).isEqualTo(200);
        assertThat(keys(sameSecret).key())
                .as("switched without a new HMAC secret")
                .isEqualTo(current);
        assertThat(keys(sameSecret).publicKey()).startsWith("whpk_");
        TestHttp.Response askedAgain =
                http().apiKey(client.apiKey()).post(rotate, "{\"key\": \"" + current + "\", \"asymmetric\": true}");
        assertThat(askedAgain.status()).as(askedAgain.body()).isEqualTo(200);
        assertThat(keys(askedAgain)).as("asked again: nothing changes").isEqualTo(keys(sameSecret));
        Received sameSecretRequest = deliverAndReceive("doc-v1a-same-secret");
        verifyHmac(current, sameSecretRequest);
        assertThat(verifiesEd25519(keys(sameSecret).publicKey(), sameSecretRequest))
                .isTrue();
    }

    @Test
    void aRotationOnAnotherInstanceIsSeenByTheNextAttempt() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        deliverAndReceive("doc-cached"); // this instance keeps the opened webhook in memory
        UUID id = UUID.fromString(webhookId);
        // Another instance rotates: the row changes, this instance's memory is not told.
        Webhook webhook = repository.findById(id).orElseThrow();
        SigningKey elsewhere = SigningKey.generate(Instant.now(), true);
        assertThat(repository.replaceSigningKeys(id, webhook.revision(), List.of(elsewhere)))
                .isTrue();

        Received request = deliverAndReceive("doc-after-remote-rotation");

        verifyHmac(elsewhere.secretText(), request);
        assertThat(entries(request, "v1")).hasSize(1);
    }

    @Test
    void atMostThreeKeysSignAtOnceAndTheOriginalOneStaysAmongThem() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String rotate = "/document_webhooks/" + webhookId + "/secret/rotate";
        JsonKeys original = secret(webhookId);
        List<String> rotated = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestHttp.Response response = http().apiKey(client.apiKey()).post(rotate, "{\"asymmetric\": true}");
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            rotated.add(response.json().get("key").asString());
        }

        Received request = deliverAndReceive("doc-three-keys");

        assertThat(entries(request, "v1")).hasSize(3);
        assertThat(entries(request, "v1a")).as("the original key signs v1 only").hasSize(2);
        verifyHmac(rotated.get(2), request); // current
        verifyHmac(rotated.get(1), request); // the one it replaced
        verifyHmac(original.key(), request); // the one receivers most likely still hold
        assertThatThrownBy(() -> verifyHmac(rotated.get(0), request)) // current only between two rotations
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void aClientMayChooseItsSecret() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String chosen = "whsec_" + Base64.getEncoder().encodeToString(randomBytes(24));

        TestHttp.Response rotated = http().apiKey(client.apiKey())
                .post("/document_webhooks/" + webhookId + "/secret/rotate", "{\"key\": \"" + chosen + "\"}");

        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.json().get("key").asString()).isEqualTo(chosen);
        assertThat(secret(webhookId).key()).isEqualTo(chosen);
        verifyHmac(chosen, deliverAndReceive("doc-chosen"));
    }

    @Test
    void aChosenSecretThatBreaksARuleIsRefusedAndChangesNothing() {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys before = secret(webhookId);
        String rotate = "/document_webhooks/" + webhookId + "/secret/rotate";
        List<String> refused = List.of(
                "",
                Base64.getEncoder().encodeToString(bytes(32, 1)), // no prefix
                "whsec_not base64!",
                "whsec_" + Base64.getEncoder().encodeToString(bytes(23, 2)),
                "whsec_" + Base64.getEncoder().encodeToString(bytes(65, 3)),
                "whsec_" + Base64.getEncoder().encodeToString(bytes(32, 0)), // one byte repeated
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // the specification's example
                "whsec_\\u0000");
        for (String key : refused) {
            TestHttp.Response response = http().apiKey(client.apiKey()).post(rotate, "{\"key\": \"" + key + "\"}");
            TestHttp.assertRefusedField(response, "key");
            if (key.length() > "whsec_".length()) {
                assertThat(response.body()).doesNotContain(key.substring("whsec_".length()));
            }
        }
        for (String body : List.of("{\"key\": 12}", "{\"key\": [\"whsec_\"]}", "{\"other\": 1}", "{\"key\"")) {
            TestHttp.Response response = http().apiKey(client.apiKey()).post(rotate, body);
            assertThat(response.status()).as(body + " -> " + response.body()).isEqualTo(400);
            assertThat(response.contentType()).isEqualTo("application/problem+json");
        }
        assertThat(secret(webhookId)).isEqualTo(before);
    }

    @Test
    void anotherClientsWebhookHasNoSecretToShowOrRotate() {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys before = secret(webhookId);
        ClientService.IssuedKey stranger = newClient();

        assertThat(http().apiKey(stranger.apiKey())
                        .get("/document_webhooks/" + webhookId + "/secret")
                        .status())
                .isEqualTo(404);
        TestHttp.Response rotate =
                http().apiKey(stranger.apiKey()).post("/document_webhooks/" + webhookId + "/secret/rotate", "");
        assertThat(rotate.status()).isEqualTo(404);
        assertThat(rotate.body()).doesNotContain("whsec_");
        assertThat(http().get("/document_webhooks/" + webhookId + "/secret").status())
                .isEqualTo(401);
        assertThat(http().apiKey(client.apiKey())
                        .get("/document_webhooks/" + UUID.randomUUID() + "/secret")
                        .status())
                .isEqualTo(404);
        assertThat(http().apiKey(client.apiKey())
                        .get("/document_webhooks/not-a-uuid/secret")
                        .status())
                .isEqualTo(400);
        assertThat(secret(webhookId)).isEqualTo(before);
    }

    @Test
    void theOlderEditionsHeaderAndPathReachTheSecret() {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys keys = secret(webhookId);

        TestHttp.Response shown = http().header("X-API-KEY", client.apiKey())
                .get("/api_document/document_webhooks/" + webhookId + "/secret");
        assertThat(shown.status()).as(shown.body()).isEqualTo(200);
        assertThat(shown.json().get("key").asString()).isEqualTo(keys.key());

        TestHttp.Response rotated = http().header("X-API-KEY", client.apiKey())
                .post("/api_document/document_webhooks/" + webhookId + "/secret/rotate", "");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(secret(webhookId).key()).isEqualTo(rotated.json().get("key").asString());
    }

    @Test
    void theWebhookObjectShowsNoSigningKey() {
        // Its fields are exactly the documentation's (WebhookApiTest); the keys have their own resource.
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String key = secret(webhookId).key();

        for (String path : List.of("/document_webhooks/" + webhookId, "/document_webhooks")) {
            assertThat(http().apiKey(client.apiKey()).get(path).body())
                    .doesNotContain(key.substring("whsec_".length()))
                    .doesNotContain("whsec_")
                    .doesNotContain("whpk_");
        }
    }

    @Test
    void aWebhookStoredBeforeSigningGetsAKeyWhenFirstUsed() throws Exception {
        UUID webhookId = UUID.randomUUID();
        byte[] sealed = secretBox.seal( // every field a release before V6 wrote
                ("{\"headers\": {\"X-Tenant\": \"t-1\"}, \"authorization\": \"Bearer fixed\", "
                                + "\"authorizationHeaders\": null, \"authorizationBody\": null}")
                        .getBytes(StandardCharsets.UTF_8),
                "webhooks.secrets:" + webhookId);
        jdbc.sql("INSERT INTO webhooks (id, client_id, name, type, method, url, secrets, created_at, updated_at) "
                        + "VALUES (?, ?, 'old', 0, 'POST', ?, ?, now(), now())")
                .params(webhookId, client.clientId(), receiver.url("/cb/:id"), sealed)
                .update();

        Received request = deliverAndReceive("doc-old-webhook");

        JsonKeys keys = secret(webhookId.toString());
        verifyHmac(keys.key(), request);
        assertThat(keys.publicKey()).isNull();
        assertThat(entries(request, "v1a")).isEmpty();
        assertThat(request.header("Authorization")).isEqualTo("Bearer fixed");
        assertThat(request.header("X-Tenant")).isEqualTo("t-1");
        TestHttp.Response rotated =
                http().apiKey(client.apiKey()).post("/document_webhooks/" + webhookId + "/secret/rotate", "");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        verifyHmac(keys.key(), deliverAndReceive("doc-old-webhook-rotated"));
    }

    @Test
    void aReleaseBeforeSigningStillReadsTheStoredSecrets() {
        String webhookId = registerWebhook(client, """
                {"name": "n", "type": 0, "method": "POST", "url": "%s", "headers": {"X-Tenant": "t-1"},
                 "authorization": "Bearer fixed"}""".formatted(receiver.url("/cb/:id")));
        http().apiKey(client.apiKey()).post("/document_webhooks/" + webhookId + "/secret/rotate", "");
        UUID id = UUID.fromString(webhookId);
        byte[] stored = jdbc.sql("SELECT secrets FROM webhooks WHERE id = ?")
                .param(id)
                .query(byte[].class)
                .single();

        String opened = new String(secretBox.open(stored, "webhooks.secrets:" + id), StandardCharsets.UTF_8);

        // Exactly the fields releases before V6 read (with unknown fields refused): the keys are sealed apart.
        assertThat(JSON.readTree(opened).propertyNames())
                .containsExactlyInAnyOrder("headers", "authorization", "authorizationHeaders", "authorizationBody");
    }

    @Test
    void concurrentRotationsAllSucceedAndThreeKeysSign() throws Exception {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String rotate = "/document_webhooks/" + webhookId + "/secret/rotate";
        List<CompletableFuture<TestHttp.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(CompletableFuture.supplyAsync(
                    () -> http().apiKey(client.apiKey()).post(rotate, "")));
        }
        List<String> issued = new ArrayList<>();
        for (CompletableFuture<TestHttp.Response> call : calls) {
            TestHttp.Response response = call.get(60, TimeUnit.SECONDS);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            issued.add(response.json().get("key").asString());
        }

        JsonKeys current = secret(webhookId);
        Received request = deliverAndReceive("doc-after-burst");

        assertThat(issued).contains(current.key()).doesNotHaveDuplicates();
        assertThat(entries(request, "v1")).hasSize(3);
        verifyHmac(current.key(), request);
    }

    @Test
    void aRequestSentAgainAfterA401IsSignedWithItsOwnTimestamp() throws Exception {
        try (TestReceiver tokens = TestReceiver.start()) {
            tokens.byDefault(request -> Reply.json(200, "{\"access_token\": \"t-" + UUID.randomUUID() + "\"}"));
            receiver.replies(Reply.status(401));
            String webhookId = registerWebhook(client, """
                    {"name": "n", "type": 0, "method": "POST", "url": "%s", "headerAuth": "Bearer",
                     "authorizationUrl": "%s"}""".formatted(receiver.url("/cb/:id"), tokens.url("/login")));
            JsonKeys keys = asymmetricKeys(webhookId);

            deliverAndReceive("doc-401");
            List<Received> requests = awaitRequests(2);

            for (Received request : requests) {
                verifyHmac(keys.key(), request);
                assertThat(verifiesEd25519(keys.publicKey(), request)).isTrue();
            }
            assertThat(requests.get(1).header("Authorization"))
                    .isNotEqualTo(requests.get(0).header("Authorization"));
        }
    }

    @Test
    void secretsAreNeverCachedAndAnUnacceptableAnswerTypeChangesNothing() {
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        JsonKeys before = secret(webhookId);

        TestHttp.Response shown = http().apiKey(client.apiKey()).get("/document_webhooks/" + webhookId + "/secret");
        TestHttp.Response html = http().apiKey(client.apiKey())
                .header("Accept", "text/html")
                .post("/document_webhooks/" + webhookId + "/secret/rotate", "");

        assertThat(shown.header("Cache-Control")).isEqualTo("no-store");
        assertThat(html.status()).isEqualTo(406);
        assertThat(secret(webhookId)).isEqualTo(before);
    }

    @Test
    void withoutAsymmetricSignaturesNoPublicKeyIsShown() {
        SigningKey key = SigningKey.generate(Instant.now(), true);

        assertThat(SigningSecretResponse.of(key, false).publicKey()).isNull();
        assertThat(SigningSecretResponse.of(key, true).publicKey()).isEqualTo(key.publicKeyText());
    }

    // --- helpers

    record JsonKeys(String key, String publicKey) {}

    private JsonKeys secret(String webhookId) {
        TestHttp.Response response = http().apiKey(client.apiKey()).get("/document_webhooks/" + webhookId + "/secret");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return keys(response);
    }

    /** Opts the webhook in to asymmetric signatures: a rotation to a key with an Ed25519 pair. */
    private JsonKeys asymmetricKeys(String webhookId) {
        TestHttp.Response response = http().apiKey(client.apiKey())
                .post("/document_webhooks/" + webhookId + "/secret/rotate", "{\"asymmetric\": true}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonKeys keys = keys(response);
        assertThat(keys.publicKey()).startsWith("whpk_");
        return keys;
    }

    private static JsonKeys keys(TestHttp.Response response) {
        JsonNode publicKey = response.json().get("publicKey");
        return new JsonKeys(response.json().get("key").asString(), publicKey.isNull() ? null : publicKey.asString());
    }

    private Received deliverAndReceive(String documentId) {
        int before = receiver.received().size();
        TestHttp.Response response = reportDocument(client, null, DOCUMENT.formatted(documentId));
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return awaitRequests(before + 1).get(before);
    }

    private List<Received> awaitRequests(int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() >= count);
        return receiver.received();
    }

    /** The reference library's check: signature, and a timestamp within its 5-minute tolerance. */
    static void verifyHmac(String whsec, Received request) throws WebhookVerificationException {
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of(request.header("webhook-id")),
                "webhook-timestamp", List.of(request.header("webhook-timestamp")),
                "webhook-signature", List.of(request.header("webhook-signature")));
        com.standardwebhooks.Webhook verifier;
        try {
            verifier = new com.standardwebhooks.Webhook(whsec);
        } catch (EmptyWebhookSecretException e) {
            throw new AssertionError("the secret is empty", e);
        }
        verifier.verify(request.body(), headers);
    }

    /** Any {@code v1a} entry verifies with the JDK's Ed25519 and the {@code whpk_} public key. */
    static boolean verifiesEd25519(String whpk, Received request) throws Exception {
        byte[] raw = Base64.getDecoder().decode(whpk.substring("whpk_".length()));
        byte[] x509 = concat(HexFormat.of().parseHex("302a300506032b6570032100"), raw);
        PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        byte[] signed = (request.header("webhook-id") + "." + request.header("webhook-timestamp") + "."
                        + request.body())
                .getBytes(StandardCharsets.UTF_8);
        for (String entry : entries(request, "v1a")) {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(signed);
            if (verifier.verify(Base64.getDecoder().decode(entry))) {
                return true;
            }
        }
        return false;
    }

    /** The signatures of one version in the header, without their prefix. */
    static List<String> entries(Received request, String version) {
        return Arrays.stream(request.header("webhook-signature").split(" "))
                .filter(entry -> entry.startsWith(version + ","))
                .map(entry -> entry.substring(version.length() + 1))
                .toList();
    }

    private static Received withHeader(Received request, String name, String value) {
        Map<String, List<String>> headers = new HashMap<>(request.headers());
        headers.keySet().removeIf(key -> key.equalsIgnoreCase(name));
        headers.put(name, List.of(value));
        return new Received(request.method(), request.path(), headers, request.body(), request.at());
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) seed);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
