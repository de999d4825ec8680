package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.web.DatabaseOutage;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Deletes finished deliveries (with their attempts) and their events once they are older than
 * {@code webhooks.delivery.retention} by the database's clock, in small batches so no statement holds locks for
 * long. It runs on a thread of its own, so a long purge never delays the queue gauges or anything else
 * scheduled. Running it on several instances at once is harmless.
 */
@Component
class DeliveryPurger implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DeliveryPurger.class);
    private static final int BATCH = 5_000;

    private final DeliveryLogRepository repository;
    private final Duration retention;
    private final Duration interval;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread purge = new Thread(runnable, "delivery-purge");
        purge.setDaemon(true);
        return purge;
    });

    DeliveryPurger(DeliveryLogRepository repository, WebhooksProperties properties) {
        this.repository = repository;
        this.retention = properties.delivery().retention();
        this.interval = properties.delivery().purgeInterval();
    }

    @PostConstruct
    void schedule() {
        thread.scheduleWithFixedDelay(
                this::purgeSafely, Duration.ofMinutes(1).toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        thread.shutdownNow();
    }

    /** @return how many rows were deleted */
    int purge() {
        int total = 0;
        int deleted;
        do {
            deleted = repository.purgeFinishedBefore(retention, BATCH);
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
            if (DatabaseOutage.causedBy(e)) {
                log.warn("Purging old deliveries failed: the database is unreachable; trying again in {}", interval);
            } else {
                log.warn("Purging old deliveries failed; trying again in {}", interval, e);
            }
        }
    }
}
