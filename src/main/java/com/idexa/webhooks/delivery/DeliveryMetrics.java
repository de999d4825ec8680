package com.idexa.webhooks.delivery;

import com.idexa.webhooks.web.DatabaseOutage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The delivery pipeline's meters. Tags stay low-cardinality: an attempt's outcome class and a delivery's final
 * status, never a client, URL or document. Queue gauges are refreshed by one query every few seconds rather than
 * on every scrape, and never take more than about a twentieth of the database's time: counting a queue of a
 * million pending deliveries takes 0.3 s on an idle database and seconds on a busy one, so after a refresh that took
 * d the next waits at least {@value #QUIET_SHARE} × d (the gauges are that much older while the queue is that
 * large).
 */
@Component
class DeliveryMetrics {

    private final MeterRegistry registry;
    private static final Logger log = LoggerFactory.getLogger(DeliveryMetrics.class);

    /** After a refresh that took d, none for {@code QUIET_SHARE} × d. */
    static final int QUIET_SHARE = 19;

    private static final long MAX_QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final DeliveryQueue queue;
    private final LongSupplier nanoTime;
    private long quietUntilNanos;
    private volatile boolean gaugesStale;
    private final Counter deliveriesFailed;
    private final Counter deliveriesCancelled;
    private final Timer firstAttemptLag;
    private final Timer attemptDuration;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong due = new AtomicLong();
    private final AtomicLong oldestDueSeconds = new AtomicLong();

    @Autowired
    DeliveryMetrics(MeterRegistry registry, DeliveryQueue queue) {
        this(registry, queue, System::nanoTime);
    }

    DeliveryMetrics(MeterRegistry registry, DeliveryQueue queue, LongSupplier nanoTime) {
        this.registry = registry;
        this.queue = queue;
        this.nanoTime = nanoTime;
        this.quietUntilNanos = nanoTime.getAsLong(); // no quiet before the first count
        this.deliveriesFailed = Counter.builder("webhook.deliveries.finished")
                .tag("status", "FAILED")
                .description("Deliveries that reached a final status")
                .register(registry);
        this.deliveriesCancelled = Counter.builder("webhook.deliveries.finished")
                .tag("status", "CANCELLED")
                .description("Deliveries that reached a final status")
                .register(registry);
        this.firstAttemptLag = Timer.builder("webhook.delivery.first.attempt.lag")
                .description("From event accepted to the start of its delivery's first attempt")
                .publishPercentileHistogram()
                .register(registry);
        this.attemptDuration = Timer.builder("webhook.delivery.attempt.duration")
                .description("Duration of delivery attempts, token fetch included")
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("webhook.deliveries.pending", pending, AtomicLong::get)
                .description("Deliveries not yet finished, due or waiting to retry")
                .register(registry);
        Gauge.builder("webhook.deliveries.due", due, AtomicLong::get)
                .description("Pending deliveries whose attempt is due now")
                .register(registry);
        Gauge.builder("webhook.deliveries.oldest.due.age", oldestDueSeconds, AtomicLong::get)
                .baseUnit("seconds")
                .description("How long the oldest due delivery has been waiting")
                .register(registry);
    }

    /**
     * Watches the dispatcher's circuit breakers: how many clients are tripped now (one probe at a time), and how
     * often a client was tripped.
     */
    void watchBreakers(Supplier<Number> trippedNow, Supplier<Number> tripsSoFar) {
        Gauge.builder("webhook.delivery.clients.tripped", trippedNow)
                .description("Clients whose endpoint kept not answering: one probe attempt at a time until one answers")
                .register(registry);
        FunctionCounter.builder(
                        "webhook.delivery.client.trips",
                        tripsSoFar,
                        trips -> trips.get().doubleValue())
                .description("Times a client was tripped to one probe attempt at a time")
                .register(registry);
    }

    void attempted(AttemptRecord attempt, DeliveryStatus status) {
        registry.counter("webhook.delivery.attempts", "outcome", attempt.metricTag())
                .increment();
        attemptDuration.record(attempt.durationMillis(), TimeUnit.MILLISECONDS);
        if (status == DeliveryStatus.SUCCEEDED) {
            registry.counter("webhook.deliveries.finished", "status", "SUCCEEDED")
                    .increment();
        } else if (status == DeliveryStatus.FAILED) {
            deliveriesFailed.increment();
        }
    }

    /**
     * A claim was made: for the clients with news only ({@code clients="news"}), or walking every client with rows
     * queued ({@code clients="all"}).
     */
    void claimed(boolean everyClient) {
        registry.counter("webhook.delivery.claims", "clients", everyClient ? "all" : "news")
                .increment();
    }

    /** A delivery claimed too often without a recorded outcome was FAILED by its claim. */
    void gaveUp() {
        deliveriesFailed.increment();
    }

    void cancelled() {
        deliveriesCancelled.increment();
    }

    /** A count that waited on a lock (a migration, maintenance) looks slow too: at most a minute of quiet. */
    private void quietAfter(long start) {
        long end = nanoTime.getAsLong();
        quietUntilNanos = end + Math.min(QUIET_SHARE * (end - start), MAX_QUIET_NANOS);
    }

    /** @param at the start of the first attempt, on the database's clock like {@code eventCreatedAt} */
    void firstAttemptLag(OffsetDateTime eventCreatedAt, OffsetDateTime at) {
        Duration lag = Duration.between(eventCreatedAt, at);
        firstAttemptLag.record(lag.isNegative() ? Duration.ZERO : lag);
    }

    @Scheduled(fixedDelayString = "${webhooks.metrics.queue-refresh:5s}", initialDelayString = "1s")
    void refreshQueueGauges() {
        long start = nanoTime.getAsLong();
        if (start - quietUntilNanos < 0) {
            return; // the last count was slow: see QUIET_SHARE
        }
        DeliveryQueue.Depth depth;
        try {
            depth = queue.depth();
        } catch (RuntimeException e) {
            quietAfter(start); // a count that timed out was slow too: the next one waits as long
            if (!DatabaseOutage.causedBy(e)) {
                throw e;
            }
            if (!gaugesStale) {
                log.warn(
                        "Queue gauges not refreshed: the database is unreachable ({})",
                        e.getClass().getSimpleName());
                gaugesStale = true;
            }
            return; // the gauges keep their last values; the alert on the oldest due age stays meaningful
        }
        quietAfter(start);
        gaugesStale = false;
        pending.set(depth.pending());
        due.set(depth.due());
        oldestDueSeconds.set(depth.oldestDueSeconds());
    }
}
