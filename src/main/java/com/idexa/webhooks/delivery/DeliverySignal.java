package com.idexa.webhooks.delivery;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes a waiting dispatcher: new work was committed, or capacity was freed. Signals never pile up: many
 * signals while the dispatcher is busy wake it once.
 */
final class DeliverySignal {

    private final Semaphore permits = new Semaphore(0);

    void signal() {
        if (permits.availablePermits() == 0) {
            permits.release();
        }
    }

    /**
     * Waits for a signal or the timeout, whichever comes first.
     *
     * @return whether a signal came
     */
    boolean await(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            permits.drainPermits();
            return true;
        }
        return false;
    }
}
