package com.idexa.webhooks.delivery;

import com.idexa.webhooks.outbound.Abort;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deliveries this instance holds the lease of: claimed, and not yet recorded. The heartbeat renews them, the
 * recorder lets go of them once their outcome is written, and shutdown decides what to do with the rest.
 */
final class HeldDeliveries {

    /** One held delivery and the state of its attempt. */
    static final class Held {
        final ClaimedDelivery delivery;
        final Abort abort = new Abort();
        /** {@link System#nanoTime()} before which the lease is surely still ours (claim or last renewal + lease). */
        volatile long leaseValidUntilNanos;
        /** Set when a worker starts the attempt, cleared when the attempt has ended (its outcome is being recorded). */
        volatile boolean sending;

        volatile boolean started;

        Held(ClaimedDelivery delivery, long leaseValidUntilNanos) {
            this.delivery = delivery;
            this.leaseValidUntilNanos = leaseValidUntilNanos;
        }
    }

    private final Map<UUID, Held> held = new ConcurrentHashMap<>();

    Held hold(ClaimedDelivery delivery, long leaseValidUntilNanos) {
        Held entry = new Held(delivery, leaseValidUntilNanos);
        held.put(delivery.id(), entry);
        return entry;
    }

    void letGo(UUID deliveryId) {
        held.remove(deliveryId);
    }

    boolean holds(UUID deliveryId) {
        return held.containsKey(deliveryId);
    }

    List<Held> all() {
        return List.copyOf(held.values());
    }

    void clear() {
        held.clear();
    }

    int size() {
        return held.size();
    }
}
