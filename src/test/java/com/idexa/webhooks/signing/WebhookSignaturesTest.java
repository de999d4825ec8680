package com.idexa.webhooks.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The header against the Standard Webhooks reference library, on its own: the specification's own example, which
 * entries a key adds, and the secret rules. End-to-end signing is in {@code webhook/SignedDeliveriesTest}.
 */
class WebhookSignaturesTest {

    private static final Instant NOW = Instant.now();
    private static final byte[] BODY = "{\"id\": \"doc\", \"note\": \"é ✓\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTheSpecificationsExampleAsItSays() {
        // From the specification: this secret, id, timestamp and body give this v1 signature.
        SigningKey key =
                new SigningKey(Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), null, null, NOW, null);
        String header = WebhookSignatures.header(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8),
                List.of(key),
                NOW,
                true);

        assertThat(header).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void withoutAsymmetricSignaturesEachKeyAddsOneHmacEntry() throws Exception {
        SigningKey current = SigningKey.generate(NOW, true);
        SigningKey previous = SigningKey.generate(NOW, true).retiringAt(NOW.plusSeconds(60));

        String header =
                WebhookSignatures.header("id-1", NOW.getEpochSecond(), BODY, List.of(current, previous), NOW, false);

        assertThat(header.split(" "))
                .hasSize(2)
                .allSatisfy(entry -> assertThat(entry).startsWith("v1,"));
        verify(current, header);
        verify(previous, header);
    }

    @Test
    void withAsymmetricSignaturesEachKeyAddsAnEd25519EntryToo() {
        String header = WebhookSignatures.header(
                "id-1", NOW.getEpochSecond(), BODY, List.of(SigningKey.generate(NOW, true)), NOW, true);

        assertThat(header.split(" ")).hasSize(2);
        assertThat(header.split(" ")[1]).startsWith("v1a,");
        assertThat(Base64.getDecoder().decode(header.split(" ")[1].substring(4)))
                .hasSize(64);
    }

    @Test
    void aRetiredKeyNoLongerSignsAndNoKeyMeansNoHeader() throws Exception {
        SigningKey current = SigningKey.generate(NOW, true);
        SigningKey retired = SigningKey.generate(NOW, true).retiringAt(NOW);

        String header =
                WebhookSignatures.header("id-1", NOW.getEpochSecond(), BODY, List.of(current, retired), NOW, false);

        verify(current, header);
        assertThatThrownBy(() -> verify(retired, header)).isInstanceOf(WebhookVerificationException.class);
        assertThat(WebhookSignatures.header("id-1", 1, BODY, List.of(retired), NOW, true))
                .isNull();
        assertThat(WebhookSignatures.header("id-1", 1, BODY, null, NOW, true)).isNull();
    }

    @Test
    void aChosenSecretMustBeRandomLookingBase64OfTwentyFourToSixtyFourBytes() {
        String ok24 = "whsec_" + Base64.getEncoder().encodeToString(random(24));
        String ok64 = "whsec_" + Base64.getEncoder().encodeToString(random(64));
        assertThatCode(() -> SigningKey.parseSecret(ok24)).doesNotThrowAnyException();
        assertThatCode(() -> SigningKey.parseSecret(ok64)).doesNotThrowAnyException();

        for (String refused : List.of(
                "",
                "whsec_",
                ok24.substring("whsec_".length()),
                "WHSEC_" + ok24.substring("whsec_".length()),
                "whsec_" + Base64.getEncoder().encodeToString(random(23)),
                "whsec_" + Base64.getEncoder().encodeToString(random(65)),
                "whsec_"
                        + Base64.getUrlEncoder()
                                .encodeToString(new byte[] {-1, -2, -3})
                                .repeat(10),
                "whsec_" + Base64.getEncoder().encodeToString(new byte[32]),
                SigningKey.PUBLISHED_EXAMPLE)) {
            assertThatThrownBy(() -> SigningKey.parseSecret(refused))
                    .as(refused)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> {
                        if (refused.length() > 10) {
                            assertThat(e.getMessage()).doesNotContain(refused.substring(6));
                        }
                    });
        }
    }

    @Test
    void keyMaterialStaysOutOfTextAndCannotBeChangedFromOutside() {
        SigningKey key = SigningKey.generate(NOW, true);
        assertThat(key.toString()).doesNotContain(key.secretText().substring(6)).contains("hidden");

        key.secret()[0] ^= 1;

        assertThat(SigningKey.parseSecret(key.secretText())).isEqualTo(key.secret());
        assertThat(key.secret()).isNotSameAs(key.secret());
    }

    private static void verify(SigningKey key, String header) throws WebhookVerificationException {
        try {
            new Webhook(key.secretText())
                    .verify(
                            new String(BODY, StandardCharsets.UTF_8),
                            Map.of(
                                    "webhook-id", List.of("id-1"),
                                    "webhook-timestamp", List.of(Long.toString(NOW.getEpochSecond())),
                                    "webhook-signature", List.of(header)));
        } catch (com.standardwebhooks.exceptions.EmptyWebhookSecretException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
