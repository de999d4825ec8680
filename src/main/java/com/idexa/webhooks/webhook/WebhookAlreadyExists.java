package com.idexa.webhooks.webhook;

import com.idexa.webhooks.web.ApiException;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** A client registering a second webhook; the Idexa API allows one, changed by replacing it (or deleting it). */
class WebhookAlreadyExists extends ApiException {

    private final UUID existingId;

    WebhookAlreadyExists(UUID existingId) {
        super(
                HttpStatus.CONFLICT,
                "Webhook already exists",
                "This client already has a webhook (" + existingId
                        + "). Change it with PUT /document_webhooks/" + existingId
                        + " (no document is missed meanwhile), or delete it first with DELETE /document_webhooks/"
                        + existingId + ", then create the new one.");
        this.existingId = existingId;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("existingWebhookId", existingId);
    }
}
