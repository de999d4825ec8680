package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.web.DatabaseOutage;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Keeps the history's daily partitions: makes the next {@link #DAYS_AHEAD} days' at startup and every
 * {@code webhooks.delivery.purge-interval}, and drops whole days once they are older than
 * {@code webhooks.delivery.retention} by the database's clock and hold no pending delivery (no row-by-row delete).
 * It runs on a thread of its own, so a slow drop never delays the queue gauges or anything else scheduled.
 * Running it on several instances at once is harmless.
 */
@Component
class HistoryMaintenance implements DisposableBean {

    /** Days of partitions made ahead, today included: a week of outage of every instance before intake fails. */
    static final int DAYS_AHEAD = 8;

    private static final Logger log = LoggerFactory.getLogger(HistoryMaintenance.class);

    private final HistoryPartitions partitions;
    private final Duration retention;
    private final Duration interval;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("history-partitions", true));

    HistoryMaintenance(HistoryPartitions partitions, WebhooksProperties properties) {
        this.partitions = partitions;
        this.retention = properties.delivery().retention();
        this.interval = properties.delivery().purgeInterval();
    }

    @PostConstruct
    void schedule() {
        makeAheadSafely(); // before intake is served, so a service started after a long outage has today's partitions
        thread.scheduleWithFixedDelay(
                this::maintainSafely, Duration.ofMinutes(1).toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        thread.shutdownNow();
    }

    /** Makes the days ahead, then drops the expired ones. @return the days dropped */
    List<HistoryPartitions.Day> maintain() {
        partitions.makeAhead(DAYS_AHEAD);
        return partitions.dropExpired(retention);
    }

    private void makeAheadSafely() {
        try {
            partitions.makeAhead(DAYS_AHEAD);
        } catch (RuntimeException e) {
            log.warn("Making the history's partitions ahead failed; trying again in a minute", e);
        }
    }

    private void maintainSafely() {
        try {
            List<HistoryPartitions.Day> dropped = maintain();
            if (!dropped.isEmpty()) {
                log.info(
                        "Dropped the history of {} older than {}",
                        dropped.stream().map(HistoryPartitions.Day::suffix).toList(),
                        retention);
            }
        } catch (RuntimeException e) {
            if (DatabaseOutage.causedBy(e)) {
                log.warn(
                        "Keeping the history's partitions failed: the database is unreachable; trying again in {}",
                        interval);
            } else {
                log.warn("Keeping the history's partitions failed; trying again in {}", interval, e);
            }
        }
    }
}
