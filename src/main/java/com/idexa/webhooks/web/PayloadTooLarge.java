package com.idexa.webhooks.web;

import java.io.IOException;

/**
 * Thrown while reading a request body that outgrows its limit. It is an {@link IOException} so that it travels
 * through the JSON reader like any read failure; {@link ProblemHandler} finds it in the cause chain.
 */
public class PayloadTooLarge extends IOException {

    private final long limit;

    public PayloadTooLarge(long limit) {
        super("request body is larger than " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
