package com.idexa.webhooks.delivery;

import com.idexa.webhooks.outbound.Abort;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The deliveries this instance holds the lease of: claimed, and not yet recorded. The heartbeat renews them, the
 * recorder lets go of them once their outcome is written, and shutdown decides what to do with the rest.
 */
final class HeldDeliveries {

    private static final int UNSTARTED = 0;
    private static final int STARTED = 1;
    private static final int RELEASED = 2;

    /** One held delivery and the state of its attempt. */
    static final class Held {
        final ClaimedDelivery delivery;
        final Abort abort = new Abort();
        /** {@link System#nanoTime()} before which the lease is surely still ours (claim or last renewal + lease). */
        volatile long leaseValidUntilNanos;
        /** Set when the attempt is started, cleared when the attempt has ended (its outcome is being recorded). */
        volatile boolean sending;
        /** Whether its HTTP attempt started, and when, as {@link ClientBreakers#started} said. */
        volatile boolean attemptStarted;

        volatile long attemptStartedNanos;

        private final AtomicInteger state = new AtomicInteger(UNSTARTED);

        Held(ClaimedDelivery delivery, long leaseValidUntilNanos) {
            this.delivery = delivery;
            this.leaseValidUntilNanos = leaseValidUntilNanos;
        }

        /** The attempt may start only if the delivery was not released meanwhile. */
        boolean start() {
            return state.compareAndSet(UNSTARTED, STARTED);
        }

        /** The delivery may be given back only if its attempt has not started (and never will). */
        boolean release() {
            return state.compareAndSet(UNSTARTED, RELEASED);
        }
    }

    private final Map<UUID, Held> held = new ConcurrentHashMap<>();

    Held hold(ClaimedDelivery delivery, long leaseValidUntilNanos) {
        Held entry = new Held(delivery, leaseValidUntilNanos);
        held.put(delivery.id(), entry);
        return entry;
    }

    /**
     * Stops holding the delivery under this claim's lease. A newer claim of the same delivery (its lease ran out and
     * it was claimed again before an old outcome was written) is a different hold, and stays.
     */
    void letGo(ClaimedDelivery claim) {
        held.computeIfPresent(
                claim.id(), (id, entry) -> entry.delivery.leaseToken().equals(claim.leaseToken()) ? null : entry);
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
