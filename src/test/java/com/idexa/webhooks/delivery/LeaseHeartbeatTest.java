package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.config.WebhooksProperties;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * When leases cannot be renewed, attempts are aborted before a lease can run out, even while the renewal itself
 * hangs on a frozen database. The queue here stands in for a database that is away.
 */
class LeaseHeartbeatTest {

    private static final Duration LEASE = Duration.ofMillis(1500);
    private static final Duration INTERVAL = Duration.ofMillis(400);
    /** Just before the lease ends: by then the attempt must have been aborted (the watch aborts an interval early). */
    private static final long SHORTLY = Duration.ofMillis(30).toNanos();

    private final HeldDeliveries held = new HeldDeliveries();
    private final CountDownLatch thaw = new CountDownLatch(1);
    private LeaseHeartbeat heartbeat;

    @AfterEach
    void stop() {
        thaw.countDown();
        heartbeat.stop();
    }

    @Test
    void abortsAnAttemptBeforeItsLeaseCanRunOutWhenTheDatabaseIsAway() {
        heartbeat = new LeaseHeartbeat(new AwayDatabase(false), held, LEASE, INTERVAL);
        HeldDeliveries.Held sending = holdSending();
        long leaseEnds = System.nanoTime() + LEASE.toNanos();

        heartbeat.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() > leaseEnds - SHORTLY);
        assertThat(sending.abort.aborted()).as("aborted before the lease ends").isTrue();
        assertThat(sending.abort.reason()).contains("lease could not be renewed");
    }

    @Test
    void abortsInTimeEvenWhileTheRenewalHangs() {
        heartbeat = new LeaseHeartbeat(new AwayDatabase(true), held, LEASE, INTERVAL);
        HeldDeliveries.Held sending = holdSending();
        long leaseEnds = System.nanoTime() + LEASE.toNanos();

        heartbeat.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() > leaseEnds - SHORTLY);
        assertThat(sending.abort.aborted()).as("aborted before the lease ends").isTrue();
    }

    @Test
    void keepsAnAttemptWhoseLeasesAreRenewed() {
        heartbeat = new LeaseHeartbeat(new RenewingDatabase(), held, LEASE, INTERVAL);
        HeldDeliveries.Held sending = holdSending();
        long twoLeases = System.nanoTime() + 2 * LEASE.toNanos();

        heartbeat.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() > twoLeases);
        assertThat(sending.abort.aborted()).isFalse();
    }

    private HeldDeliveries.Held holdSending() {
        ClaimedDelivery delivery = new ClaimedDelivery(
                UUID.randomUUID(),
                UUID.randomUUID(),
                "event",
                UUID.randomUUID(),
                "doc",
                "{}",
                0,
                0,
                UUID.randomUUID(),
                OffsetDateTime.now(),
                UUID.randomUUID(),
                1,
                OffsetDateTime.now(),
                System.nanoTime(),
                DeliveryStatus.PENDING);
        HeldDeliveries.Held entry = held.hold(delivery, System.nanoTime() + LEASE.toNanos());
        entry.start();
        entry.sending = true;
        return entry;
    }

    /** Renewals fail at once, or hang until the test ends. */
    private final class AwayDatabase extends DeliveryQueue {
        private final boolean hangs;

        AwayDatabase(boolean hangs) {
            super(null, null, WebhooksProperties.Endpoint.DEFAULTS);
            this.hangs = hangs;
        }

        @Override
        Set<UUID> renewLeases(Collection<ClaimedDelivery> deliveries, Duration lease) {
            if (hangs) {
                try {
                    thaw.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            throw new DataAccessResourceFailureException("connection refused");
        }
    }

    private static final class RenewingDatabase extends DeliveryQueue {
        RenewingDatabase() {
            super(null, null, WebhooksProperties.Endpoint.DEFAULTS);
        }

        @Override
        Set<UUID> renewLeases(Collection<ClaimedDelivery> deliveries, Duration lease) {
            return Set.copyOf(deliveries.stream().map(ClaimedDelivery::id).toList());
        }
    }
}
