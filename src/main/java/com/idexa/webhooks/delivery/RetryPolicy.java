package com.idexa.webhooks.delivery;

import com.idexa.webhooks.config.WebhooksProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: the n-th failure waits the n-th of the configured delays, spread by
 * jitter so that many deliveries failing together do not return together. After the last delay's attempt fails
 * there is no next one. On 429 and 503 a {@code Retry-After} (seconds or an HTTP date) is honoured, up to a cap:
 * the wait is never shorter than the endpoint asked for.
 */
final class RetryPolicy {

    private final List<Duration> delays;
    private final double jitter;
    private final Duration retryAfterCap;
    private final Clock clock;
    private final RandomGenerator random;

    RetryPolicy(List<Duration> delays, double jitter, Duration retryAfterCap, Clock clock, RandomGenerator random) {
        this.delays = List.copyOf(delays);
        this.jitter = jitter;
        this.retryAfterCap = retryAfterCap;
        this.clock = clock;
        this.random = random;
    }

    static RetryPolicy from(WebhooksProperties.Delivery settings, Clock clock) {
        return new RetryPolicy(
                settings.retryDelays(),
                settings.jitter(),
                settings.retryAfterCap(),
                clock,
                RandomGenerator.getDefault());
    }

    /**
     * @param failures failures so far in this schedule, counting the one just seen (1 for the first)
     * @param statusCode the HTTP status of the failure, or {@code null} when there was no answer
     * @param retryAfter the {@code Retry-After} header of the answer, or {@code null}
     * @return how long to wait before the next attempt; empty when the delivery has failed for good
     */
    Optional<Duration> nextDelay(int failures, Integer statusCode, String retryAfter) {
        if (failures > delays.size()) {
            return Optional.empty();
        }
        Duration scheduled = withJitter(delays.get(failures - 1));
        if (statusCode != null && (statusCode == 429 || statusCode == 503) && retryAfter != null) {
            Duration asked = parseRetryAfter(retryAfter);
            if (asked != null) {
                Duration capped = asked.compareTo(retryAfterCap) > 0 ? retryAfterCap : asked;
                return Optional.of(capped.compareTo(scheduled) > 0 ? capped : scheduled);
            }
        }
        return Optional.of(scheduled);
    }

    int maxAttempts() {
        return delays.size() + 1;
    }

    private Duration withJitter(Duration delay) {
        if (jitter == 0) {
            return delay;
        }
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.round(delay.toMillis() * factor));
    }

    private Duration parseRetryAfter(String value) {
        String trimmed = value.trim();
        if (trimmed.matches("\\d{1,10}")) {
            return Duration.ofSeconds(Long.parseLong(trimmed));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration until = Duration.between(clock.instant(), at.toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
