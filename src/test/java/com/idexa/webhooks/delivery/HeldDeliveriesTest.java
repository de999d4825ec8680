package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HeldDeliveriesTest {

    private final HeldDeliveries held = new HeldDeliveries();
    private final UUID deliveryId = UUID.randomUUID();

    @Test
    void anOldClaimsOutcomeDoesNotLetGoOfANewerClaim() {
        ClaimedDelivery first = claim(UUID.randomUUID());
        ClaimedDelivery second = claim(UUID.randomUUID());
        held.hold(first, 0);
        held.hold(second, 0); // the first lease ran out and the delivery was claimed again

        held.letGo(first); // the first attempt's outcome is written late

        assertThat(held.holds(deliveryId)).isTrue();
        held.letGo(second);
        assertThat(held.holds(deliveryId)).isFalse();
    }

    @Test
    void aReleasedDeliveryCannotBeStartedAndAStartedOneCannotBeReleased() {
        HeldDeliveries.Held released = held.hold(claim(UUID.randomUUID()), 0);
        HeldDeliveries.Held started = held.hold(claim(UUID.randomUUID()), 0);

        assertThat(released.release()).isTrue();
        assertThat(released.start()).isFalse();
        assertThat(started.start()).isTrue();
        assertThat(started.release()).isFalse();
    }

    private ClaimedDelivery claim(UUID leaseToken) {
        return new ClaimedDelivery(
                deliveryId,
                UUID.randomUUID(),
                "event",
                UUID.randomUUID(),
                "doc",
                "{}",
                0,
                0,
                leaseToken,
                OffsetDateTime.now(),
                UUID.randomUUID(),
                1,
                OffsetDateTime.now(),
                System.nanoTime(),
                DeliveryStatus.PENDING);
    }
}
