package com.idexa.webhooks.web;

import java.io.IOException;
import java.time.Duration;

/**
 * Thrown while reading a request body that has taken longer than {@code webhooks.api.body-read-timeout} to arrive.
 * It is an {@link IOException} so that it travels through the body's reader like any read failure;
 * {@link ProblemHandler} finds it in the cause chain and answers 408.
 */
public class BodyTooSlow extends IOException {

    private final Duration timeout;

    public BodyTooSlow(Duration timeout) {
        super("the request body did not arrive within " + timeout.toSeconds() + " s");
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
