package com.idexa.webhooks.webhook;

import com.idexa.webhooks.web.ApiException;
import org.springframework.http.HttpStatus;

/** No such webhook for this client; another client's webhook is reported the same way, so ids leak nothing. */
public class WebhookNotFound extends ApiException {

    public WebhookNotFound(String detail) {
        super(HttpStatus.NOT_FOUND, "Webhook not found", detail);
    }
}
