package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.config.WebhooksProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * The queue gauges count the whole queue; with a million pending deliveries that takes seconds on a busy database,
 * every few seconds. After a count that took d, the next waits {@link DeliveryMetrics#QUIET_SHARE} × d, so the
 * gauges never take more than about a twentieth of the database's time.
 */
class QueueGaugesTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger counts = new AtomicInteger();

    /** The database as the gauges see it: every count takes two seconds. */
    private final class SlowCount extends DeliveryQueue {
        SlowCount() {
            super(null, null, WebhooksProperties.Endpoint.DEFAULTS);
        }

        @Override
        Depth depth() {
            counts.incrementAndGet();
            now.addAndGet(TimeUnit.SECONDS.toNanos(2));
            return new Depth(1_000_000, 1_000_000, 60);
        }
    }

    /** A busy database whose count runs into the socket timeout after ten seconds. */
    private final class TimedOutCount extends DeliveryQueue {
        TimedOutCount() {
            super(null, null, WebhooksProperties.Endpoint.DEFAULTS);
        }

        @Override
        Depth depth() {
            counts.incrementAndGet();
            now.addAndGet(TimeUnit.SECONDS.toNanos(10));
            throw new DataAccessResourceFailureException("Read timed out");
        }
    }

    @Test
    void aCountThatTimedOutDelaysTheNextOneTooAtMostAMinute() {
        DeliveryMetrics metrics = new DeliveryMetrics(new SimpleMeterRegistry(), new TimedOutCount(), now::get);

        metrics.refreshQueueGauges();
        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        metrics.refreshQueueGauges();
        assertThat(counts).as("19 × 10 s, capped at a minute").hasValue(1);

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        metrics.refreshQueueGauges();
        assertThat(counts).hasValue(2);
    }

    @Test
    void aSlowCountDelaysTheNextOneByNineteenTimesItsDuration() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeliveryMetrics metrics = new DeliveryMetrics(registry, new SlowCount(), now::get);

        metrics.refreshQueueGauges();
        assertThat(registry.get("webhook.deliveries.pending").gauge().value()).isEqualTo(1_000_000);
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        metrics.refreshQueueGauges();
        now.addAndGet(TimeUnit.SECONDS.toNanos(32)); // 37 s after the first count ended: 38 s must pass
        metrics.refreshQueueGauges();
        assertThat(counts).hasValue(1);

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        metrics.refreshQueueGauges();
        assertThat(counts).hasValue(2);
    }
}
