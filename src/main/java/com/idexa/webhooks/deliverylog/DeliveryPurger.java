package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.config.WebhooksProperties;
import jakarta.annotation.PostConstruct;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Deletes finished deliveries (with their attempts) and their events once they are older than
 * {@code webhooks.delivery.retention}, in small batches so no statement holds locks for long. Running it on
 * several instances at once is harmless.
 */
@Component
class DeliveryPurger {

    private static final Logger log = LoggerFactory.getLogger(DeliveryPurger.class);
    private static final int BATCH = 5_000;

    private final DeliveryLogRepository repository;
    private final TaskScheduler scheduler;
    private final Clock clock;
    private final Duration retention;
    private final Duration interval;

    DeliveryPurger(
            DeliveryLogRepository repository, TaskScheduler scheduler, Clock clock, WebhooksProperties properties) {
        this.repository = repository;
        this.scheduler = scheduler;
        this.clock = clock;
        this.retention = properties.delivery().retention();
        this.interval = properties.delivery().purgeInterval();
    }

    @PostConstruct
    void schedule() {
        scheduler.scheduleWithFixedDelay(this::purgeSafely, clock.instant().plus(Duration.ofMinutes(1)), interval);
    }

    /** @return how many rows were deleted */
    int purge() {
        OffsetDateTime cutoff = OffsetDateTime.now(clock).minus(retention);
        int total = 0;
        int deleted;
        do {
            deleted = repository.purgeFinishedBefore(cutoff, BATCH);
            total += deleted;
        } while (deleted > 0);
        return total;
    }

    private void purgeSafely() {
        try {
            int deleted = purge();
            if (deleted > 0) {
                log.info("Purged {} finished deliveries and events older than {}", deleted, retention);
            }
        } catch (RuntimeException e) {
            log.warn("Purging old deliveries failed; trying again in {}", interval, e);
        }
    }
}
