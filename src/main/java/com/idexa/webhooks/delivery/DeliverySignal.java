package com.idexa.webhooks.delivery;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes a waiting dispatcher: new work was committed, or capacity was freed. Signals never pile up: many
 * signals while the dispatcher is busy wake it once. What they said piles up until the dispatcher takes it
 * ({@link #takeNews}): the clients that have news, or that anything may have changed.
 */
final class DeliverySignal {

    /** Beyond this many clients with news, the news is "anything": walking every client costs no more then. */
    static final int MOST_CLIENTS = 256;

    private final Semaphore permits = new Semaphore(0);
    private Set<UUID> clients = new HashSet<>();
    private boolean anything;

    /** Anything may have changed (a notification without clients, settings, a stop). */
    void signal() {
        synchronized (this) {
            anything = true;
            clients = new HashSet<>();
        }
        wake();
    }

    /** These clients may have deliveries to claim now: committed, or due again, or room freed for them. */
    void signal(Collection<UUID> news) {
        synchronized (this) {
            if (!anything) {
                clients.addAll(news);
                if (clients.size() > MOST_CLIENTS) {
                    anything = true;
                    clients = new HashSet<>();
                }
            }
        }
        wake();
    }

    private void wake() {
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

    /** What the signals since the last call said, and forgets it. */
    synchronized News takeNews() {
        News news = new News(anything, Set.copyOf(clients));
        anything = false;
        clients = new HashSet<>();
        return news;
    }

    /**
     * @param anything whether anything may have changed, so every client must be looked at
     * @param clients otherwise, the clients that have news (empty: none)
     */
    record News(boolean anything, Set<UUID> clients) {}
}
