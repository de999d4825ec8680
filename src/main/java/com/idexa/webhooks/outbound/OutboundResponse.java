package com.idexa.webhooks.outbound;

import java.nio.charset.StandardCharsets;

/**
 * What an endpoint answered: its status, the headers the dispatcher acts on, and at most the configured number
 * of body bytes.
 *
 * @param retryAfter the {@code Retry-After} header as sent, or {@code null}
 */
public record OutboundResponse(int status, String retryAfter, byte[] body, boolean truncated, long durationMillis) {

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
