package com.idexa.webhooks.web;

import java.io.IOException;

/** Thrown by {@link RequestBodyLimitFilter} while it reads a chunked request body that finds its {@link BodyBudget} spent by other requests; the filter answers it. */
class BodyBudgetSpent extends IOException {

    public BodyBudgetSpent() {
        super("too many request bodies are being read at once");
    }
}
