package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.delivery.OutcomePolicy.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class OutcomePolicyTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T10:00:00Z"), ZoneOffset.UTC);
    private static final List<Duration> DELAYS =
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));

    private final OutcomePolicy exact =
            OutcomePolicy.of(DELAYS, 0, Duration.ofHours(1), CLOCK, RandomGenerator.getDefault());

    @Test
    void succeedsOnAny2xxKeepingTheScheduleCount() {
        assertThat(exact.decide(answered(204, null), 2)).isEqualTo(Decision.succeeded(2));
    }

    @Test
    void failsAtOnceOnGone() {
        assertThat(exact.decide(answered(410, null), 0)).isEqualTo(Decision.failed(1));
    }

    @Test
    void followsTheScheduleThenGivesUp() {
        assertThat(exact.decide(answered(500, null), 0)).isEqualTo(Decision.retryIn(1, Duration.ofSeconds(5)));
        assertThat(exact.decide(unanswered(), 1)).isEqualTo(Decision.retryIn(2, Duration.ofSeconds(30)));
        assertThat(exact.decide(answered(502, null), 2)).isEqualTo(Decision.retryIn(3, Duration.ofMinutes(2)));
        assertThat(exact.decide(answered(500, null), 3)).isEqualTo(Decision.failed(4));
    }

    @Test
    void spreadsDelaysByTheJitterFraction() {
        OutcomePolicy lowest = OutcomePolicy.of(DELAYS, 0.2, Duration.ofHours(1), CLOCK, fixedRandom(0.0));
        OutcomePolicy highest = OutcomePolicy.of(DELAYS, 0.2, Duration.ofHours(1), CLOCK, fixedRandom(0.999999));

        assertThat(lowest.decide(answered(500, null), 1).retryIn()).isEqualTo(Duration.ofSeconds(24));
        assertThat(highest.decide(answered(500, null), 1).retryIn())
                .isBetween(Duration.ofMillis(35_999), Duration.ofSeconds(36));
    }

    @Test
    void honoursRetryAfterSecondsOn429And503() {
        assertThat(exact.decide(answered(429, "120"), 0).retryIn()).isEqualTo(Duration.ofSeconds(120));
        assertThat(exact.decide(answered(503, "90"), 0).retryIn()).isEqualTo(Duration.ofSeconds(90));
        assertThat(exact.decide(answered(500, "120"), 0).retryIn())
                .as("only on 429 and 503")
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void neverWaitsLessThanTheScheduleSays() {
        assertThat(exact.decide(answered(429, "1"), 1).retryIn()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void honoursRetryAfterAsAnHttpDate() {
        assertThat(exact.decide(answered(503, "Sun, 29 Nov 2026 10:10:00 GMT"), 0)
                        .retryIn())
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void capsRetryAfter() {
        assertThat(exact.decide(answered(429, "999999"), 0).retryIn()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void capsARetryAfterTooLongToReadAsANumber() {
        assertThat(exact.decide(answered(503, "99999999999999999999"), 0).retryIn())
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void ignoresAnUnreadableRetryAfter() {
        assertThat(exact.decide(answered(429, "soon"), 0).retryIn()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void retryAfterDoesNotRescueADeliveryOutOfRetries() {
        assertThat(exact.decide(answered(429, "60"), 3)).isEqualTo(Decision.failed(4));
    }

    private static AttemptRecord answered(int status, String retryAfter) {
        return new AttemptRecord(
                OffsetDateTime.now(CLOCK), 1, "POST", "https://example.com/1", status, null, "", retryAfter, "5xx");
    }

    private static AttemptRecord unanswered() {
        return AttemptRecord.unanswered(
                OffsetDateTime.now(CLOCK),
                1,
                "POST",
                "https://example.com/1",
                "connection refused",
                "connection_error");
    }

    private static RandomGenerator fixedRandom(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }
}
