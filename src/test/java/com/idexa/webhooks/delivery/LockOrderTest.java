package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The statements that update many held deliveries at once (the heartbeat's renewal, the recorder's outcomes, the
 * release at shutdown) run concurrently on separate connections over the same rows, each in its own order of the
 * rows. They must lock the rows in one order, or PostgreSQL finds a deadlock and aborts one of them.
 */
class LockOrderTest extends QueueTestSupport {

    private static final int HELD = 300;
    private static final int ROUNDS = 40;

    @Test
    void batchUpdatesOfTheSameHeldDeliveriesInDifferentOrdersNeverDeadlock() throws Exception {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        for (int i = 0; i < HELD; i++) {
            deliver(client, "held-" + i);
        }
        List<ClaimedDelivery> held =
                queue.claim(HELD, HELD, Map.of(client.clientId(), HELD), Duration.ofMinutes(5), UUID.randomUUID());
        assertThat(held).hasSize(HELD);

        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Random random = new Random(t);
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    for (int round = 0; round < ROUNDS; round++) {
                        List<ClaimedDelivery> order = new ArrayList<>(held);
                        Collections.shuffle(order, random);
                        queue.renewLeases(order, Duration.ofMinutes(5));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join(Duration.ofMinutes(2).toMillis());
        }

        assertThat(failures).as("statements aborted (a deadlock)").isEmpty();
        assertThat(queue.release(held)).isEqualTo(HELD);
    }
}
