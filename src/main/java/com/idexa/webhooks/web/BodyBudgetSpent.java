package com.idexa.webhooks.web;

import java.io.IOException;

/**
 * Thrown while reading a chunked request body that finds its {@link BodyBudget} spent by other requests. It is an
 * {@link IOException} so that it travels through the body's reader like any read failure; {@link ProblemHandler}
 * finds it in the cause chain and answers 503.
 */
public class BodyBudgetSpent extends IOException {

    public BodyBudgetSpent() {
        super("too many request bodies are being read at once");
    }
}
