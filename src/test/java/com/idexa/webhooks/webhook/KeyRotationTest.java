package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.DocumentWebhooksApplication;
import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.EncryptionKeys;
import com.idexa.webhooks.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Rotating {@code webhooks.encryption-key}: each test runs the whole service, stopped and started again with other
 * keys, on a database of its own (so no other test's rows, sealed with the suite's key, are in the way).
 */
@ExtendWith(OutputCaptureExtension.class)
class KeyRotationTest {

    private static final String KEY_A = EncryptionKeys.random();
    private static final String KEY_B = EncryptionKeys.random();
    private static final String SECRET = "Bearer rotate-SECRET-4e1d";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private String database;

    @BeforeEach
    void freshDatabase() {
        database = TestDatabase.fresh("key_rotation_").url();
    }

    @AfterEach
    void stopAll() {
        started.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void opensSecretsSealedWithAPreviousKeyAndResealsThemWithTheCurrentOne(CapturedOutput output) {
        ConfigurableApplicationContext withA = start(KEY_A, "");
        UUID first = registerWebhook(withA);
        UUID second = registerWebhook(withA);
        String signingSecret = signingSecret(withA, first);
        withA.close();

        ConfigurableApplicationContext rotated = start(KEY_B, KEY_A);
        assertThat(openedSecret(rotated, first)).isEqualTo(SECRET);
        assertThat(openedSecret(rotated, second)).isEqualTo(SECRET);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(storedBoxes(rotated))
                        .hasSize(2)
                        .allSatisfy(box -> assertThat(header(box)).isEqualTo(version2Header(KEY_B))));
        assertThat(storedKeyBoxes(rotated))
                .hasSize(2)
                .allSatisfy(box -> assertThat(header(box)).isEqualTo(version2Header(KEY_B)));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(output).contains("re-sealed 2 webhook secrets with the current encryption key"));
        rotated.close();

        ConfigurableApplicationContext onlyB = start(KEY_B, "");
        assertThat(openedSecret(onlyB, first)).isEqualTo(SECRET);
        assertThat(openedSecret(onlyB, second)).isEqualTo(SECRET);
        assertThat(signingSecret(onlyB, first)).isEqualTo(signingSecret);
        assertThat(output).doesNotContain(KEY_A).doesNotContain(KEY_B).doesNotContain("rotate-SECRET");
    }

    @Test
    void refusesToStartWhenStoredSecretsMatchNoConfiguredKey() {
        ConfigurableApplicationContext withA = start(KEY_A, "");
        registerWebhook(withA);
        withA.close();

        assertThatThrownBy(() -> start(KEY_B, ""))
                .isInstanceOf(StoredSecretsUnreadable.class)
                .hasMessageContaining("webhooks.encryption-key")
                .hasMessageContaining("webhooks.previous-encryption-keys")
                .hasMessageContaining("1 webhook")
                .hasMessageNotContaining(KEY_A)
                .hasMessageNotContaining(KEY_B)
                .hasMessageNotContaining("rotate-SECRET");
    }

    @Test
    void opensVersion1SecretsWithTheCurrentOrAPreviousKeyAndResealsThem() throws Exception {
        ConfigurableApplicationContext withB = start(KEY_B, "");
        UUID underB = insertVersion1Webhook(withB, KEY_B);
        UUID underA = insertVersion1Webhook(withB, KEY_A);
        assertThat(openedSecret(withB, underB)).isEqualTo(SECRET);
        withB.close();

        ConfigurableApplicationContext rotated = start(KEY_B, KEY_A);
        assertThat(openedSecret(rotated, underB)).isEqualTo(SECRET);
        assertThat(openedSecret(rotated, underA)).isEqualTo(SECRET);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(storedBoxes(rotated))
                        .hasSize(2)
                        .allSatisfy(box -> assertThat(header(box)).isEqualTo(version2Header(KEY_B))));
    }

    @Test
    void refusesToStartWhenVersion1SecretsMatchNoConfiguredKey() throws Exception {
        ConfigurableApplicationContext withB = start(KEY_B, "");
        insertVersion1Webhook(withB, KEY_A);
        withB.close();

        assertThatThrownBy(() -> start(KEY_B, ""))
                .isInstanceOf(StoredSecretsUnreadable.class)
                .hasMessageContaining("webhooks.previous-encryption-keys")
                .hasMessageNotContaining(KEY_A)
                .hasMessageNotContaining(KEY_B);
    }

    @Test
    void neverSealsWithAPreviousKey() {
        ConfigurableApplicationContext rotated = start(KEY_B, KEY_A);
        registerWebhook(rotated);

        assertThat(storedBoxes(rotated))
                .singleElement()
                .satisfies(box -> assertThat(header(box)).isEqualTo(version2Header(KEY_B)));
    }

    @Test
    void resealingLeavesARowThatChangedOrWentAwaySinceItWasRead() {
        ConfigurableApplicationContext context = start(KEY_B, KEY_A);
        UUID id = registerWebhook(context);
        WebhookRepository repository = context.getBean(WebhookRepository.class);
        WebhookRepository.SealedSecrets read = new WebhookRepository.SealedSecrets(
                id, storedBoxes(context).get(0), storedKeyBoxes(context).get(0));

        assertThat(repository.reseal(read)).isTrue();
        byte[] afterFirst = storedBoxes(context).get(0);
        assertThat(repository.reseal(read)).isFalse();
        assertThat(storedBoxes(context)).singleElement().isEqualTo(afterFirst);

        context.getBean(JdbcClient.class).sql("DELETE FROM webhooks").update();
        assertThat(repository.reseal(new WebhookRepository.SealedSecrets(id, afterFirst, null)))
                .isFalse();
        assertThat(storedBoxes(context)).isEmpty();
    }

    private ConfigurableApplicationContext start(String key, String previousKeys) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DocumentWebhooksApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=" + database,
                        "--spring.datasource.username=" + TestDatabase.get().username(),
                        "--spring.datasource.password=" + TestDatabase.get().password(),
                        "--spring.datasource.hikari.maximum-pool-size=3",
                        "--webhooks.encryption-key=" + key,
                        "--webhooks.previous-encryption-keys=" + previousKeys,
                        "--webhooks.outbound.allow-private-networks=true",
                        "--webhooks.delivery.enabled=false");
        started.add(context);
        return context;
    }

    /** Registers a webhook through the API, as a client would. */
    private static UUID registerWebhook(ConfigurableApplicationContext context) {
        ClientService.IssuedKey client = context.getBean(ClientService.class).registerClient("Rotation client");
        String port = context.getEnvironment().getProperty("local.server.port");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/document_webhooks"))
                .header("IDEXA-API-KEY", client.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"name": "n", "type": 0, "method": "POST", "url": "http://localhost:9/cb/:id",
                         "authorization": "%s"}""".formatted(SECRET)))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return UUID.fromString(response.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"([0-9a-f-]{36})\".*", "$1"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A webhook row as releases before key ids wrote it: {@code version 1 | nonce(12) | ciphertext+tag}. */
    private static UUID insertVersion1Webhook(ConfigurableApplicationContext context, String base64Key)
            throws Exception {
        ClientService.IssuedKey client = context.getBean(ClientService.class).registerClient("Old client");
        UUID id = UUID.randomUUID();
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(
                Cipher.ENCRYPT_MODE,
                new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES"),
                new GCMParameterSpec(128, nonce));
        cipher.updateAAD(("webhooks.secrets:" + id).getBytes(StandardCharsets.UTF_8));
        byte[] sealed = cipher.doFinal(("{\"authorization\": \"" + SECRET + "\"}").getBytes(StandardCharsets.UTF_8));
        byte[] box = ByteBuffer.allocate(1 + nonce.length + sealed.length)
                .put((byte) 1)
                .put(nonce)
                .put(sealed)
                .array();
        context.getBean(JdbcClient.class)
                .sql("INSERT INTO webhooks (id, client_id, name, type, method, url, secrets, created_at, updated_at) "
                        + "VALUES (?, ?, 'old', 0, 'POST', 'http://localhost:9/cb/:id', ?, now(), now())")
                .params(id, client.clientId(), box)
                .update();
        return id;
    }

    private static String openedSecret(ConfigurableApplicationContext context, UUID webhookId) {
        return context.getBean(WebhookService.class)
                .webhookForDelivery(webhookId, 1)
                .orElseThrow()
                .secrets()
                .authorization();
    }

    private static List<byte[]> storedBoxes(ConfigurableApplicationContext context) {
        return context.getBean(JdbcClient.class)
                .sql("SELECT secrets FROM webhooks")
                .query(byte[].class)
                .list();
    }

    private static String signingSecret(ConfigurableApplicationContext context, UUID webhookId) {
        return context.getBean(WebhookService.class)
                .webhookForDelivery(webhookId, 1)
                .orElseThrow()
                .secrets()
                .signingKeys()
                .get(0)
                .secretText();
    }

    private static List<byte[]> storedKeyBoxes(ConfigurableApplicationContext context) {
        return context.getBean(JdbcClient.class)
                .sql("SELECT signing_keys FROM webhooks")
                .query(byte[].class)
                .list();
    }

    private static byte[] header(byte[] box) {
        return Arrays.copyOf(box, 5);
    }

    /** Version 2, then the key id: the first 4 bytes of the SHA-256 of the key. */
    private static byte[] version2Header(String base64Key) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest(Base64.getDecoder().decode(base64Key));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return ByteBuffer.allocate(5).put((byte) 2).put(digest, 0, 4).array();
    }
}
