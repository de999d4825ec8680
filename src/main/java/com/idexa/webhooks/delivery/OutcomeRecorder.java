package com.idexa.webhooks.delivery;

import com.idexa.webhooks.web.DatabaseOutage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes outcomes to PostgreSQL in batches, off the threads that finish attempts. Under light load every outcome is written at
 * once, alone; under heavy load outcomes gather while the previous batch is written, so one statement and one
 * commit serve many attempts. Nothing waits on a timer.
 *
 * <p>It rides out a database outage: a batch that cannot be written is tried again, with backoff, for as long as
 * the service runs. That is safe because every write is fenced by the lease it was claimed with: if the lease ran
 * out and another instance took the delivery over, the write changes nothing; if nobody did, writing it is right
 * and spares the endpoint a duplicate. Memory stays bounded: when {@value #CAPACITY} outcomes wait, the threads
 * that finish attempts wait too (never the HTTP client's reactor threads), and no new work is claimed. Only at shutdown, past its deadline, are unwritten outcomes given up (their
 * deliveries are sent again after their leases: at least once, never lost).
 */
final class OutcomeRecorder {

    private static final Logger log = LoggerFactory.getLogger(OutcomeRecorder.class);
    private static final int MAX_BATCH = 500;
    static final int CAPACITY = 10_000;
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    private static final Outcome STOP = new Outcome(null, null, null, null);

    private final DeliveryQueue queue;
    private final Consumer<Outcome> afterWrite;
    private final Consumer<EndpointStateChanged> endpointChanged;
    private final LinkedBlockingQueue<Outcome> pending = new LinkedBlockingQueue<>(CAPACITY);
    private Thread writer;

    /**
     * @param afterWrite told of each outcome once it is written (or given up on at shutdown)
     * @param endpointChanged told of each endpoint a written batch disabled
     */
    OutcomeRecorder(DeliveryQueue queue, Consumer<Outcome> afterWrite, Consumer<EndpointStateChanged> endpointChanged) {
        this.queue = queue;
        this.afterWrite = afterWrite;
        this.endpointChanged = endpointChanged;
    }

    void start(String name) {
        writer = new Thread(this::run, name);
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues an outcome; waits while {@value #CAPACITY} are already waiting (the database is behind or away). */
    void record(Outcome outcome) throws InterruptedException {
        pending.put(outcome);
    }

    /** Writes everything submitted so far, then stops; gives up what is still unwritten after {@code timeout}. */
    void stop(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (pending.offer(STOP, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        if (writer.isAlive()) {
            writer.interrupt();
            writer.join(1000);
        }
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
                write(batch);
            } catch (InterruptedException e) {
                List<Outcome> lost = new ArrayList<>(batch);
                pending.drainTo(lost);
                lost.remove(STOP);
                if (!lost.isEmpty()) {
                    log.error(
                            "Shutting down with {} attempt outcomes unwritten (the database is unreachable); their "
                                    + "deliveries are sent again when their leases run out",
                            lost.size());
                }
                lost.forEach(afterWrite);
                batch.clear();
                return;
            }
            batch.forEach(afterWrite);
            batch.clear();
        }
    }

    private void write(List<Outcome> batch) throws InterruptedException {
        List<Outcome> attempts =
                batch.stream().filter(outcome -> !outcome.isCancellation()).toList();
        if (!attempts.isEmpty()
                && !untilWritten(attempts.size() + " attempt outcomes", () -> recordAttempts(attempts))) {
            // A statement the database refuses for good: write one by one, so one bad row cannot sink the batch.
            for (Outcome attempt : attempts) {
                if (attempts.size() > 1) {
                    untilWritten("an attempt outcome", () -> recordAttempts(List.of(attempt)));
                }
            }
        }
        for (Outcome outcome : batch) {
            if (outcome.isCancellation()) {
                untilWritten("a cancellation", () -> queue.cancel(outcome.delivery(), outcome.cancelReason()));
            }
        }
    }

    private void recordAttempts(List<Outcome> attempts) {
        DeliveryQueue.Recorded recorded = queue.recordAttempts(attempts);
        recorded.leaseLost()
                .forEach(id -> log.warn(
                        "Delivery {}: the attempt finished after its lease ran out; another worker owns it now", id));
        for (EndpointStateChanged change : recorded.disabled()) {
            try {
                endpointChanged.accept(change);
            } catch (RuntimeException e) { // the change is stored; telling about it must not unwrite the batch
                log.warn("Could not report endpoint of webhook {} disabled", change.webhookId(), e);
            }
        }
    }

    /**
     * Runs the statement until it succeeds, waiting out a database that is away.
     *
     * @return {@code false} when the database refused the statement for good (logged); it is not tried again
     */
    private boolean untilWritten(String what, Runnable statement) throws InterruptedException {
        long backoff = 50;
        boolean warned = false;
        while (true) {
            try {
                statement.run();
                if (warned) {
                    log.info("Recorded {} after the database came back", what);
                }
                return true;
            } catch (RuntimeException e) {
                if (!DatabaseOutage.causedBy(e)) {
                    log.error(
                            "Could not record {}: the database refused it; its deliveries are claimed again "
                                    + "when their leases run out",
                            what,
                            e);
                    return false;
                }
                if (!warned) {
                    log.warn(
                            "Could not record {} ({}); trying again until the database answers",
                            what,
                            e.getClass().getSimpleName());
                    warned = true;
                }
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }
}
