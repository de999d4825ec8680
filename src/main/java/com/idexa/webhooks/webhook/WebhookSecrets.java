package com.idexa.webhooks.webhook;

import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The settings of a webhook that may carry credentials; stored sealed as one JSON document.
 *
 * @param headers headers sent to the webhook URL; {@code null} when none were given
 * @param authorization fixed {@code Authorization} header value, or {@code null}
 * @param authorizationHeaders headers sent to the token endpoint, or {@code null}
 * @param authorizationBody body sent to the token endpoint, or {@code null}; never returned by the API
 */
public record WebhookSecrets(
        Map<String, String> headers,
        String authorization,
        Map<String, String> authorizationHeaders,
        ObjectNode authorizationBody) {

    @Override
    public String toString() {
        return "WebhookSecrets[hidden]";
    }
}
