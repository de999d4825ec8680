package com.idexa.webhooks.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The {@code webhook-signature} header of Standard Webhooks: for each key that signs at the request's time, a
 * {@code v1,} entry (base64 HMAC-SHA256) and, when it has a key pair and asymmetric signatures are on, a
 * {@code v1a,} entry (base64 Ed25519), over
 * {@code "{webhook-id}.{webhook-timestamp}.{body}"}, separated by spaces. Receivers accept a request when any entry
 * of a version they know verifies.
 *
 * <p>Hand-written rather than taken from the reference library ({@code com.standardwebhooks:standardwebhooks}):
 * that one signs a {@code String} with one secret; a delivery is bytes, signed by up to three keys and two
 * algorithms. The tests verify what this writes with the reference library.
 */
public final class WebhookSignatures {

    /** The header's name. */
    public static final String HEADER = "webhook-signature";

    private WebhookSignatures() {}

    /**
     * @param messageId the {@code webhook-id} header's value
     * @param timestamp the {@code webhook-timestamp} header's value (Unix seconds)
     * @param body the exact bytes sent; empty when the request has no body
     * @param keys the webhook's keys; only those that sign at {@code at} are used; {@code null} for none
     * @param at the request's time, to tell which keys still sign
     * @param asymmetric whether to add the {@code v1a} entries of keys that have a key pair
     * @return the header's value, or {@code null} when no key signs at that time
     */
    public static String header(
            String messageId, long timestamp, byte[] body, List<SigningKey> keys, Instant at, boolean asymmetric) {
        if (keys == null) {
            return null;
        }
        byte[] signed = signedContent(messageId, timestamp, body);
        StringBuilder header = new StringBuilder();
        for (SigningKey key : keys) {
            if (!key.signsAt(at)) {
                continue;
            }
            append(header, "v1,", hmacSha256(key.secret(), signed));
            if (asymmetric && key.ed25519Seed() != null) {
                byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
                Ed25519.sign(key.ed25519Seed(), 0, key.ed25519PublicKey(), 0, signed, 0, signed.length, signature, 0);
                append(header, "v1a,", signature);
            }
        }
        return header.isEmpty() ? null : header.toString();
    }

    private static byte[] signedContent(String messageId, long timestamp, byte[] body) {
        byte[] prefix = (messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        return signed;
    }

    private static byte[] hmacSha256(byte[] secret, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static void append(StringBuilder header, String version, byte[] signature) {
        if (!header.isEmpty()) {
            header.append(' ');
        }
        header.append(version).append(Base64.getEncoder().encodeToString(signature));
    }
}
