package com.idexa.webhooks.web;

import java.io.IOException;

/** Thrown by {@link RequestBodyLimitFilter} while it reads a request body that outgrows its limit; the filter answers it. */
class PayloadTooLarge extends IOException {

    private final long limit;

    public PayloadTooLarge(long limit) {
        super("request body is larger than " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
