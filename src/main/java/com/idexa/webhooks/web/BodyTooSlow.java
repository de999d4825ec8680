package com.idexa.webhooks.web;

import java.io.IOException;
import java.time.Duration;

/** Thrown by {@link RequestBodyLimitFilter} while it reads a request body that has taken longer than {@code webhooks.api.body-read-timeout} to arrive; the filter answers it. */
class BodyTooSlow extends IOException {

    private final Duration timeout;

    public BodyTooSlow(Duration timeout) {
        super("the request body did not arrive within " + timeout.toSeconds() + " s");
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
