package com.idexa.webhooks.webhook;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A client's webhook as stored, with its secrets opened. It never leaves the service as is: the API answers
 * with {@link WebhookResponse}, which masks the secrets, and {@link WebhookSecrets#toString()} hides them from
 * logs and exception messages.
 *
 * @param authorizationMethod {@code null} unless {@code authorizationUrl} is set (then POST by default)
 * @param authorizationResponseTokenAttr dotted path of the token in the token endpoint's JSON answer
 * @param revision counts the changes of the stored row (a secret rotation is one): a delivery claimed with a
 *     newer revision than the one kept in memory reads the webhook again
 */
public record Webhook(
        UUID id,
        UUID clientId,
        String name,
        int type,
        String method,
        String url,
        String headerAuth,
        String authorizationUrl,
        String authorizationMethod,
        String authorizationResponseTokenAttr,
        WebhookSecrets secrets,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        int revision) {

    /** The only webhook type today: a document finished processing. */
    public static final int TYPE_DOCUMENT_FINISHED = 0;
}
