package com.idexa.webhooks.delivery;

import java.time.OffsetDateTime;

/**
 * One finished attempt, as the delivery log keeps it.
 *
 * @param statusCode the HTTP status, or {@code null} when no answer came
 * @param error what went wrong in words for the client, or {@code null} on success
 * @param metricTag the attempt's outcome as a metric tag: 2xx, 3xx, 4xx, 5xx, timeout, connection_error, blocked, token_failed
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

    boolean succeeded() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
}
