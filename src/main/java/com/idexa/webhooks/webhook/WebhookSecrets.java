package com.idexa.webhooks.webhook;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.idexa.webhooks.signing.SigningKey;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The settings of a webhook that may carry credentials; stored sealed as one JSON document.
 *
 * @param headers headers sent to the webhook URL; {@code null} when none were given
 * @param authorization fixed {@code Authorization} header value, or {@code null}
 * @param authorizationHeaders headers sent to the token endpoint, or {@code null}
 * @param authorizationBody body sent to the token endpoint, or {@code null}; never returned by the API
 * @param signingKeys the keys that sign deliveries, current first, then the previous ones in their overlap;
 *     {@code null} for a webhook stored before deliveries were signed (a key is then made when next opened). Not
 *     part of this JSON document: sealed on their own ({@code webhooks.signing_keys}), so a release that does not
 *     know them reads the document as it always did
 */
@JsonIgnoreProperties(ignoreUnknown = true) // a later release's fields must not make these secrets unreadable
public record WebhookSecrets(
        Map<String, String> headers,
        String authorization,
        Map<String, String> authorizationHeaders,
        ObjectNode authorizationBody,
        @JsonIgnore List<SigningKey> signingKeys) {

    /** The same secrets with these signing keys ({@code null} for none yet). */
    WebhookSecrets withSigningKeys(List<SigningKey> keys) {
        return new WebhookSecrets(
                headers,
                authorization,
                authorizationHeaders,
                authorizationBody,
                keys == null ? null : List.copyOf(keys));
    }

    /** Whether a signing key was ever made for these secrets. */
    boolean hasSigningKeys() {
        return signingKeys != null && !signingKeys.isEmpty();
    }

    @Override
    public String toString() {
        return "WebhookSecrets[hidden]";
    }
}
