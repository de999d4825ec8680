package com.idexa.webhooks.endpoint;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signature headers: {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}
 * under the key that follows {@code whsec_}. Stand-in until the shared signer lands.
 */
final class StandardWebhookSigner {

    private final byte[] key;

    StandardWebhookSigner(String secret) {
        String encoded = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
        try {
            this.key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("webhooks.operator.signing-secret must be whsec_ followed by base64");
        }
        if (key.length == 0) {
            throw new IllegalStateException("webhooks.operator.signing-secret must be whsec_ followed by base64");
        }
    }

    Map<String, String> headers(String messageId, Instant at, byte[] body) {
        String timestamp = Long.toString(at.getEpochSecond());
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            String signature = Base64.getEncoder().encodeToString(mac.doFinal(body));
            return Map.of(
                    "webhook-id", messageId, "webhook-timestamp", timestamp, "webhook-signature", "v1," + signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
