package com.idexa.webhooks.webhook;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The optional body of {@code POST /document_webhooks/{id}/secret/rotate}.
 *
 * @param key a secret the client chose, {@code whsec_} + base64 of 24 to 64 bytes; absent to have one made
 */
record RotateSecretRequest(
        @Schema(
                description = "whsec_ + base64 of 24 to 64 random bytes; omit it to have a secret made",
                example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        String key) {

    /** Framework DEBUG logging prints request bodies: this one hides the secret. */
    @Override
    public String toString() {
        return "RotateSecretRequest[key hidden]";
    }
}
