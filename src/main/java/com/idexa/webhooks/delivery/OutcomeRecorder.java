package com.idexa.webhooks.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes attempt outcomes to PostgreSQL in batches, off the workers' threads. Under light load every outcome is
 * written at once, alone; under heavy load outcomes gather while the previous batch is written, so one statement
 * and one commit serve many attempts. Nothing waits on a timer. An outcome lost here (a crash before its batch
 * is written) only means the delivery is sent again when its lease runs out: at least once, never lost.
 */
final class OutcomeRecorder {

    private static final Logger log = LoggerFactory.getLogger(OutcomeRecorder.class);
    private static final int MAX_BATCH = 500;
    private static final Outcome STOP = new Outcome(null, null, null);

    private final DeliveryQueue queue;
    private final Consumer<Outcome> afterWrite;
    private final LinkedBlockingQueue<Outcome> pending = new LinkedBlockingQueue<>();
    private Thread writer;

    /** @param afterWrite told of each outcome once its batch is written (or given up on) */
    OutcomeRecorder(DeliveryQueue queue, Consumer<Outcome> afterWrite) {
        this.queue = queue;
        this.afterWrite = afterWrite;
    }

    void start(String name) {
        writer = new Thread(this::run, name);
        writer.setDaemon(true);
        writer.start();
    }

    void record(Outcome outcome) {
        pending.add(outcome);
    }

    /** Writes everything submitted so far, then stops. */
    void stop(Duration timeout) throws InterruptedException {
        pending.add(STOP);
        writer.join(timeout.toMillis());
    }

    private void run() {
        List<Outcome> batch = new ArrayList<>(MAX_BATCH);
        boolean stopping = false;
        while (!stopping) {
            try {
                Outcome first = pending.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, MAX_BATCH - 1);
                stopping = batch.remove(STOP);
                if (!batch.isEmpty()) {
                    write(batch);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                batch.forEach(afterWrite);
                batch.clear();
            }
        }
    }

    private void write(List<Outcome> batch) throws InterruptedException {
        long backoff = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                List<UUID> leaseLost = queue.recordAttempts(batch);
                leaseLost.forEach(id -> log.warn(
                        "Delivery {}: the attempt finished after its lease ran out; another worker owns it now", id));
                return;
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    log.error(
                            "Could not record {} attempt outcomes; their deliveries are sent again when their leases "
                                    + "run out",
                            batch.size(),
                            e);
                    return;
                }
                log.warn("Recording attempt outcomes failed; trying again in {} ms", backoff, e);
                Thread.sleep(backoff);
                backoff *= 5;
            }
        }
    }
}
