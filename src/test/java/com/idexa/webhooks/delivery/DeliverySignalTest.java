package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DeliverySignalTest {

    private final DeliverySignal signal = new DeliverySignal();

    @Test
    void newsPilesUpUntilTakenAndWakesOnce() throws Exception {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();

        signal.signal(List.of(a));
        signal.signal(List.of(b, a));

        assertThat(signal.await(Duration.ofMillis(1))).isTrue();
        assertThat(signal.await(Duration.ofMillis(1))).as("woken once").isFalse();
        assertThat(signal.takeNews()).isEqualTo(new DeliverySignal.News(false, Set.of(a, b)));
        assertThat(signal.takeNews()).as("taken").isEqualTo(new DeliverySignal.News(false, Set.of()));
    }

    @Test
    void aSignalNamingNoClientOrTooManyMeansAnything() {
        signal.signal(List.of(UUID.randomUUID()));
        signal.signal();
        signal.signal(List.of(UUID.randomUUID()));
        assertThat(signal.takeNews()).isEqualTo(new DeliverySignal.News(true, Set.of()));

        signal.signal(IntStream.rangeClosed(0, DeliverySignal.MOST_CLIENTS)
                .mapToObj(i -> UUID.randomUUID())
                .toList());
        assertThat(signal.takeNews()).isEqualTo(new DeliverySignal.News(true, Set.of()));
    }

    @Test
    void aNotificationsPayloadNamesItsClientsOrAnything() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();

        assertThat(DeliveryNotifications.clientsNamed(a + "," + b)).isEqualTo(Set.of(a, b));
        assertThat(DeliveryNotifications.clientsNamed("")).isNull();
        assertThat(DeliveryNotifications.clientsNamed(a + ",not-a-client")).isNull();
        assertThat(DeliveryNotifications.clientsNamed(a + ",")).isNull();
    }
}
