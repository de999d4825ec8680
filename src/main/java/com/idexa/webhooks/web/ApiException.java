package com.idexa.webhooks.web;

import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error the client can act on. Subclasses are named for what happened ({@code WebhookNotFound}); the
 * {@link ProblemHandler} turns them into problem documents with this status, title and detail. Messages are
 * written for the API's user and never carry secrets.
 */
public abstract class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;

    protected ApiException(HttpStatus status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** Extra members of the problem document, such as the id of the webhook that already exists. */
    public Map<String, Object> properties() {
        return Map.of();
    }

    /** Response headers that go with the problem, such as {@code WWW-Authenticate}. */
    public Map<String, String> headers() {
        return Map.of();
    }
}
