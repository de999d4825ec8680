package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClientSlotsTest {

    private final UUID client = UUID.randomUUID();

    @Test
    void countsTakenSlotsAsRoomLeft() {
        ClientSlots slots = new ClientSlots(8);
        slots.take(client);
        slots.take(client);

        assertThat(slots.roomOfBusyClients()).containsEntry(client, 6);
        slots.free(client);
        slots.free(client);
        assertThat(slots.roomOfBusyClients()).isEmpty();
    }

    @Test
    void neverLosesACountWhenTakingAndFreeingRaceForOneClient() throws Exception {
        ClientSlots slots = new ClientSlots(8);
        int threads = 4;
        int rounds = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    slots.take(client);
                    slots.free(client);
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(slots.inFlight(client)).isZero();
        assertThat(slots.roomOfBusyClients()).isEmpty();
    }
}
