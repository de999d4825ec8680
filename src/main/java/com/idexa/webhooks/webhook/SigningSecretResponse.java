package com.idexa.webhooks.webhook;

import com.idexa.webhooks.signing.SigningKey;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A webhook's current signing key, as {@code GET /document_webhooks/{id}/secret} shows it to its own client.
 *
 * @param key the HMAC-SHA256 secret that verifies {@code v1} signatures
 * @param publicKey the Ed25519 public key that verifies {@code v1a} signatures; not a secret, it may be published.
 *     {@code null} when the key signs {@code v1} only (the default; a rotation with {@code "asymmetric": true} makes
 *     one that signs both), or the service sends no {@code v1a} signatures ({@code webhooks.signing.asymmetric=false})
 */
record SigningSecretResponse(
        @Schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        String key,

        @Schema(example = "whpk_8iV0GcbWAqjvV8qU6EAbqqTI0jNWBXw6KT0Y1QZMOHc=")
        String publicKey) {

    static SigningSecretResponse of(SigningKey key, boolean asymmetric) {
        return new SigningSecretResponse(key.secretText(), asymmetric ? key.publicKeyText() : null);
    }

    /** The secret never reaches a log line through this record. */
    @Override
    public String toString() {
        return "SigningSecretResponse[key hidden, publicKey=" + publicKey + "]";
    }
}
