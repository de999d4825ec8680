package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T10:00:00Z"), ZoneOffset.UTC);
    private static final List<Duration> DELAYS =
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));

    private final RetryPolicy exact =
            new RetryPolicy(DELAYS, 0, Duration.ofHours(1), CLOCK, RandomGenerator.getDefault());

    @Test
    void followsTheScheduleThenGivesUp() {
        assertThat(exact.nextDelay(1, 500, null)).contains(Duration.ofSeconds(5));
        assertThat(exact.nextDelay(2, null, null)).contains(Duration.ofSeconds(30));
        assertThat(exact.nextDelay(3, 502, null)).contains(Duration.ofMinutes(2));
        assertThat(exact.nextDelay(4, 500, null)).isEmpty();
        assertThat(exact.maxAttempts()).isEqualTo(4);
    }

    @Test
    void spreadsDelaysByTheJitterFraction() {
        RetryPolicy lowest = new RetryPolicy(DELAYS, 0.2, Duration.ofHours(1), CLOCK, fixedRandom(0.0));
        RetryPolicy highest = new RetryPolicy(DELAYS, 0.2, Duration.ofHours(1), CLOCK, fixedRandom(0.999999));

        assertThat(lowest.nextDelay(2, 500, null)).contains(Duration.ofSeconds(24));
        assertThat(highest.nextDelay(2, 500, null).orElseThrow())
                .isBetween(Duration.ofMillis(35_999), Duration.ofSeconds(36));
    }

    @Test
    void honoursRetryAfterSecondsOn429And503() {
        assertThat(exact.nextDelay(1, 429, "120")).contains(Duration.ofSeconds(120));
        assertThat(exact.nextDelay(1, 503, "90")).contains(Duration.ofSeconds(90));
        assertThat(exact.nextDelay(1, 500, "120")).as("only on 429 and 503").contains(Duration.ofSeconds(5));
    }

    @Test
    void neverWaitsLessThanTheScheduleSays() {
        assertThat(exact.nextDelay(2, 429, "1")).contains(Duration.ofSeconds(30));
    }

    @Test
    void honoursRetryAfterAsAnHttpDate() {
        assertThat(exact.nextDelay(1, 503, "Sun, 29 Nov 2026 10:10:00 GMT")).contains(Duration.ofMinutes(10));
    }

    @Test
    void capsRetryAfter() {
        assertThat(exact.nextDelay(1, 429, "999999")).contains(Duration.ofHours(1));
    }

    @Test
    void ignoresAnUnreadableRetryAfter() {
        assertThat(exact.nextDelay(1, 429, "soon")).contains(Duration.ofSeconds(5));
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
