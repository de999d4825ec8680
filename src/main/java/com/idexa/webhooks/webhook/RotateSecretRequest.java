package com.idexa.webhooks.webhook;

import com.idexa.webhooks.web.StrictBoolean;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The optional body of {@code POST /document_webhooks/{id}/secret/rotate}.
 *
 * @param key a secret the client chose, {@code whsec_} + base64 of 24 to 64 bytes; absent to have one made
 * @param asymmetric whether the new key also signs with Ed25519 ({@code v1a}, verified with the public key);
 *     absent or null to keep what the current key does (a new webhook's key signs {@code v1} only); only JSON
 *     {@code true} or {@code false}, not {@code "true"} or {@code 1}
 */
record RotateSecretRequest(
        @Schema(
                description = "whsec_ + base64 of 24 to 64 random bytes; omit it to have a secret made",
                example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        String key,

        @Schema(
                description = "true: the new key also signs v1a (Ed25519), and its public key is shown; false: v1 "
                        + "(HMAC) only; omit it (or null) to keep what the current key does. A new webhook signs v1 "
                        + "only. Send the current key with it to switch without changing the HMAC secret.")
        @JsonDeserialize(using = StrictBoolean.class)
        Boolean asymmetric) {

    /** Framework DEBUG logging prints request bodies: this one hides the secret. */
    @Override
    public String toString() {
        return "RotateSecretRequest[key hidden]";
    }
}
