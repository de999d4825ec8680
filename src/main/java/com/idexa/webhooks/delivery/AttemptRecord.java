package com.idexa.webhooks.delivery;

import java.time.OffsetDateTime;

/**
 * One finished attempt, as the delivery log keeps it.
 *
 * @param statusCode the HTTP status, or {@code null} when no answer came
 * @param error what went wrong in words for the client, or {@code null} on success
 * @param metricTag the attempt's outcome as a metric tag: 2xx, 3xx, 4xx, 5xx, timeout, connection_error, blocked,
 *     token_failed, interrupted (aborted by this service: shutdown, a lease in doubt), internal_error
 */
record AttemptRecord(
        OffsetDateTime attemptedAt,
        long durationMillis,
        String method,
        String url,
        Integer statusCode,
        String error,
        String responseBody,
        String retryAfter,
        String metricTag) {

    /** An attempt that got no HTTP answer: a failed token fetch, a timeout, a refused or blocked connection. */
    static AttemptRecord unanswered(
            OffsetDateTime attemptedAt,
            long durationMillis,
            String method,
            String url,
            String error,
            String metricTag) {
        return new AttemptRecord(attemptedAt, durationMillis, method, url, null, error, null, null, metricTag);
    }

    static final String INTERRUPTED = "interrupted";
    static final String INTERNAL_ERROR = "internal_error";

    /** Aborted by this service (shutdown, a lease it could not renew): says nothing about the endpoint. */
    boolean interrupted() {
        return INTERRUPTED.equals(metricTag);
    }

    boolean succeeded() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
}
