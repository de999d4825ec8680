package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Attempts in flight cost no thread each: hundreds of them are held open at once by endpoints that answer only
 * when told, while the service's own threads stay a handful.
 */
@TestPropertySource(
        properties = {
            "webhooks.delivery.max-in-flight=400",
            "webhooks.delivery.max-in-flight-per-client=8",
            "webhooks.outbound.request-timeout=60s",
            "webhooks.delivery.lease=60s",
            "webhooks.delivery.shutdown-grace=0s"
        })
class ManyAttemptsInFlightTest extends DeliveryTestSupport {

    private static final int CLIENTS = 40;
    private static final int DELIVERIES = 300;
    /**
     * Threads the service may start while attempts pile up: its two small pools fill up (other threads exist
     * before any attempt). Counted as a difference, since paused contexts of other tests keep theirs.
     */
    private static final int MOST_NEW_THREADS = Dispatcher.PREPARING_THREADS + Dispatcher.FINISHING_THREADS + 2;

    private final CountDownLatch release = new CountDownLatch(1);
    private final TestReceiver receiver = TestReceiver.start().byDefault(request -> Reply.hangUntil(release));

    @AfterEach
    void stopReceiver() {
        release.countDown();
        receiver.close();
    }

    @Test
    void holdsHundredsOfAttemptsOpenAtOnceOnAFewThreads() {
        List<String> threadsBefore = serviceThreads();
        List<ClientService.IssuedKey> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", receiver.url("/held/:id")));
            clients.add(client);
        }
        Map<String, ClientService.IssuedKey> deliveries = new java.util.HashMap<>();
        for (int i = 0; i < DELIVERIES; i++) {
            ClientService.IssuedKey client = clients.get(i % CLIENTS);
            deliveries.put(deliver(client, "doc-" + i), client);
        }

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.received().size() >= DELIVERIES);
        assertThat(release.getCount())
                .as("every request arrived while none had been answered")
                .isEqualTo(1);
        List<String> threadsNow = serviceThreads();
        assertThat(threadsNow.size() - threadsBefore.size())
                .as(
                        "threads of the dispatcher and the outbound client started for %d attempts in flight: %s",
                        DELIVERIES, threadsNow)
                .isLessThanOrEqualTo(MOST_NEW_THREADS);

        release.countDown();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> deliveries.forEach((id, client) -> assertThat(
                                delivery(client, id).get("status").asString())
                        .isEqualTo("SUCCEEDED")));
        assertThat(receiver.received()).hasSize(DELIVERIES);
    }

    private static List<String> serviceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> name.startsWith("delivery-") || name.startsWith("outbound-"))
                .sorted()
                .toList();
    }
}
