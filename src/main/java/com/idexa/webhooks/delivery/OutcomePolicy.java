package com.idexa.webhooks.delivery;

import com.idexa.webhooks.config.WebhooksProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What becomes of a delivery after an attempt, decided in one place. As with db-scheduler's failure handlers,
 * each rule is a small object that decides or hands the failure on to the next, so {@link #of} reads as the
 * policy itself:
 *
 * <ol>
 *   <li>a 2xx answer: SUCCEEDED;
 *   <li>an attempt this service aborted itself (shutdown, a lease it could not renew): due again after a
 *       second (never in a tight loop), not counted against the schedule, since it says nothing about the endpoint;
 *   <li>410 Gone: FAILED at once;
 *   <li>more failures than there are delays: FAILED;
 *   <li>otherwise PENDING, retried after {@code Retry-After} on 429 and 503 (up to a cap, never sooner than
 *       the schedule), or after the n-th delay of the schedule spread by jitter.
 * </ol>
 */
final class OutcomePolicy {

    /** An interrupted attempt is tried again this soon: promptly, yet never in a tight loop. */
    static final Duration AFTER_INTERRUPTION = Duration.ofSeconds(1);

    /**
     * The delivery's next state.
     *
     * @param scheduleFailures failures in the current retry schedule, the attempt just made included
     * @param retryIn the wait before the next attempt, or {@code null} once the delivery is finished
     */
    record Decision(DeliveryStatus status, int scheduleFailures, Duration retryIn) {

        static Decision succeeded(int failures) {
            return new Decision(DeliveryStatus.SUCCEEDED, failures, null);
        }

        static Decision failed(int failures) {
            return new Decision(DeliveryStatus.FAILED, failures, null);
        }

        static Decision retryIn(int failures, Duration wait) {
            return new Decision(DeliveryStatus.PENDING, failures, wait);
        }
    }

    /** One rule for a failed attempt: it decides, or passes the failure on. */
    interface FailureRule {
        /** @param failures failures in this schedule, counting the one just seen (1 for the first) */
        Decision onFailure(AttemptRecord attempt, int failures);
    }

    private final FailureRule onFailure;

    private OutcomePolicy(FailureRule onFailure) {
        this.onFailure = onFailure;
    }

    static OutcomePolicy from(WebhooksProperties.Delivery settings, Clock clock) {
        return of(
                settings.retryDelays(),
                settings.jitter(),
                settings.retryAfterCap(),
                clock,
                RandomGenerator.getDefault());
    }

    static OutcomePolicy of(
            List<Duration> delays, double jitter, Duration retryAfterCap, Clock clock, RandomGenerator random) {
        return new OutcomePolicy(new FailAtOnceOn(
                410,
                new GiveUpAfter(
                        delays.size(),
                        new HonourRetryAfter(retryAfterCap, clock, new Backoff(delays, jitter, random)))));
    }

    /** @param failuresBefore failures in the current schedule before this attempt */
    Decision decide(AttemptRecord attempt, int failuresBefore) {
        if (attempt.succeeded()) {
            return Decision.succeeded(failuresBefore);
        }
        if (attempt.interrupted()) {
            return Decision.retryIn(failuresBefore, AFTER_INTERRUPTION);
        }
        return onFailure.onFailure(attempt, failuresBefore + 1);
    }

    /** A status that means the endpoint will never take the delivery: no retry. */
    record FailAtOnceOn(int status, FailureRule next) implements FailureRule {
        @Override
        public Decision onFailure(AttemptRecord attempt, int failures) {
            return Integer.valueOf(status).equals(attempt.statusCode())
                    ? Decision.failed(failures)
                    : next.onFailure(attempt, failures);
        }
    }

    /** After {@code retries} retries have failed too, the delivery is FAILED. */
    record GiveUpAfter(int retries, FailureRule next) implements FailureRule {
        @Override
        public Decision onFailure(AttemptRecord attempt, int failures) {
            return failures > retries ? Decision.failed(failures) : next.onFailure(attempt, failures);
        }
    }

    /**
     * On 429 and 503 a {@code Retry-After} (seconds or an HTTP date) lengthens the wait the next rule chose, up to a
     * cap; it never shortens it.
     */
    record HonourRetryAfter(Duration cap, Clock clock, FailureRule next) implements FailureRule {
        @Override
        public Decision onFailure(AttemptRecord attempt, int failures) {
            Decision scheduled = next.onFailure(attempt, failures);
            Integer status = attempt.statusCode();
            if (scheduled.retryIn() == null || status == null || (status != 429 && status != 503)) {
                return scheduled;
            }
            Duration asked = attempt.retryAfter() == null ? null : parse(attempt.retryAfter());
            if (asked == null) {
                return scheduled;
            }
            Duration capped = asked.compareTo(cap) > 0 ? cap : asked;
            return capped.compareTo(scheduled.retryIn()) > 0 ? Decision.retryIn(failures, capped) : scheduled;
        }

        private Duration parse(String value) {
            String trimmed = value.trim();
            if (trimmed.matches("\\d{1,10}")) {
                return Duration.ofSeconds(Long.parseLong(trimmed));
            }
            if (trimmed.matches("\\d+")) {
                return cap; // too many digits to read as a wait worth honouring: longer than any cap
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

    /** The n-th failure waits the n-th delay, spread by up to {@code jitter} either way so failures do not return together. */
    static final class Backoff implements FailureRule {

        private final List<Duration> delays;
        private final double jitter;
        private final RandomGenerator random;

        Backoff(List<Duration> delays, double jitter, RandomGenerator random) {
            this.delays = List.copyOf(delays);
            this.jitter = jitter;
            this.random = random;
        }

        @Override
        public Decision onFailure(AttemptRecord attempt, int failures) {
            Duration delay = delays.get(Math.min(failures, delays.size()) - 1);
            if (jitter == 0) {
                return Decision.retryIn(failures, delay);
            }
            double factor = 1 + jitter * (2 * random.nextDouble() - 1);
            return Decision.retryIn(failures, Duration.ofMillis(Math.round(delay.toMillis() * factor)));
        }
    }
}
