package com.idexa.webhooks.webhook;

import com.idexa.webhooks.web.ApiException;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** A webhook changed by other requests so often, while this one tried to change it, that it gave up. */
class WebhookChangedConcurrently extends ApiException {

    WebhookChangedConcurrently(UUID webhookId) {
        super(
                HttpStatus.CONFLICT,
                "Webhook changed concurrently",
                "The webhook " + webhookId + " was changed by other requests while this one ran; send it again.");
    }
}
