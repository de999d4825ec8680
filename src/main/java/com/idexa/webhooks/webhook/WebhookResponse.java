package com.idexa.webhooks.webhook;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * The webhook object of the Idexa documentation, field for field. {@code authorization} and credential header
 * values are masked; {@code authorizationBody} is never returned.
 */
record WebhookResponse(
        UUID id,
        UUID clientId,
        String name,
        int type,
        String method,
        Map<String, String> headers,
        String headerAuth,
        String url,
        String authorization,
        String authorizationUrl,
        String authorizationMethod,
        Map<String, String> authorizationHeaders,
        String authorizationResponseTokenAttr,
        @JsonFormat(pattern = TIMESTAMP) OffsetDateTime createdAt,
        @JsonFormat(pattern = TIMESTAMP) OffsetDateTime updatedAt) {

    /** ISO-8601 with microseconds and a numeric offset, as in the documentation's example. */
    static final String TIMESTAMP = "uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx";

    static WebhookResponse of(Webhook webhook) {
        WebhookSecrets secrets = webhook.secrets();
        return new WebhookResponse(
                webhook.id(),
                webhook.clientId(),
                webhook.name(),
                webhook.type(),
                webhook.method(),
                SecretMasking.maskHeaders(secrets.headers()),
                webhook.headerAuth(),
                webhook.url(),
                SecretMasking.mask(secrets.authorization()),
                webhook.authorizationUrl(),
                webhook.authorizationMethod(),
                SecretMasking.maskHeaders(secrets.authorizationHeaders()),
                webhook.authorizationResponseTokenAttr(),
                webhook.createdAt(),
                webhook.updatedAt());
    }
}
