package com.idexa.webhooks.delivery;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's leases alive, as db-scheduler's heartbeats do: every {@code heartbeat-interval} one
 * statement renews the lease of every delivery held here, so a lease can be short (a killed instance's deliveries
 * fall due again within {@code lease}) and still cover an attempt of any length.
 *
 * <p>If renewing fails (the database is unreachable) the leases run down. Before a lease can have run out, with
 * one interval to spare, the attempt still sending under it is aborted, so a delivery is never sent by two
 * instances at once. That watch runs on a thread of its own, since a renewal can hang as long as the database
 * does (frozen, or behind a dead connection). A delivery whose lease was found taken is aborted at once.
 */
final class LeaseHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final DeliveryQueue queue;
    private final HeldDeliveries held;
    private final Duration lease;
    private final Duration interval;
    private ScheduledExecutorService beats;
    private ScheduledExecutorService watch;
    private volatile boolean failing;

    LeaseHeartbeat(DeliveryQueue queue, HeldDeliveries held, Duration lease, Duration interval) {
        this.queue = queue;
        this.held = held;
        this.lease = lease;
        this.interval = interval;
    }

    void start() {
        beats = daemon("delivery-heartbeat");
        beats.scheduleWithFixedDelay(this::beat, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        watch = daemon("delivery-lease-watch");
        long check = Math.max(50, interval.toMillis() / 4);
        watch.scheduleWithFixedDelay(
                () -> abortWhereLeaseInDoubt(System.nanoTime()), check, check, TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (beats != null) {
            beats.shutdownNow();
            watch.shutdownNow();
        }
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** One beat: renew every held lease; a lease found taken aborts its attempt. */
    void beat() {
        var snapshot = held.all();
        if (!snapshot.isEmpty()) {
            long beatStarted = System.nanoTime();
            try {
                Set<UUID> renewed = queue.renewLeases(
                        snapshot.stream().map(entry -> entry.delivery).toList(), lease);
                for (HeldDeliveries.Held entry : snapshot) {
                    if (renewed.contains(entry.delivery.id())) {
                        entry.leaseValidUntilNanos = beatStarted + lease.toNanos();
                    } else if (entry.sending && held.holds(entry.delivery.id())) {
                        log.warn("Delivery {}: its lease was taken over; aborting the attempt", entry.delivery.id());
                        entry.abort.abort("interrupted: another instance took the delivery over");
                    }
                }
                if (failing) {
                    log.info("Leases renewed again");
                    failing = false;
                }
            } catch (RuntimeException e) {
                if (!failing) {
                    log.warn(
                            "Could not renew {} leases ({}); attempts are aborted before their leases can run out",
                            snapshot.size(),
                            e.getClass().getSimpleName());
                    failing = true;
                }
            }
        }
    }

    private void abortWhereLeaseInDoubt(long now) {
        for (HeldDeliveries.Held entry : held.all()) {
            if (entry.sending && now > entry.leaseValidUntilNanos - interval.toNanos()) {
                entry.abort.abort(
                        "interrupted: the lease could not be renewed in time (database unreachable or this instance stalled)");
            }
        }
    }
}
