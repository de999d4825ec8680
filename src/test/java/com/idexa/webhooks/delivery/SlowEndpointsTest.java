package com.idexa.webhooks.delivery;

import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.HangingReceiver;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * An endpoint that starts hanging, before it has timed out often enough to trip: once an attempt of it has been
 * unanswered for longer than {@code slow-after}, events that fall due for it meanwhile wait for that attempt to
 * end instead of each taking a slot of its per-client cap.
 */
@TestPropertySource(
        properties = {
            "webhooks.delivery.slow-after=300ms",
            "webhooks.delivery.trip-after=100", // never trips here: this is about the time before
            "webhooks.delivery.max-in-flight-per-client=8",
            "webhooks.outbound.request-timeout=4s",
            "webhooks.delivery.retry-delays=1h"
        })
class SlowEndpointsTest extends DeliveryTestSupport {

    private static final Duration SLOW_AFTER = Duration.ofMillis(300);

    private final HangingReceiver hanging = HangingReceiver.start();
    private final String segment = "s" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void stopReceiver() {
        hanging.close();
    }

    @Test
    void eventsForAnEndpointWhoseAttemptHangsPastSlowAfterWaitForItInsteadOfTakingMoreSlots() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", hanging.url("/" + segment + "/:id")));

        deliver(client, "first");
        await("the first attempt open at the endpoint")
                .atMost(Duration.ofSeconds(10))
                .until(() -> hanging.openNow(segment) == 1);
        long openedAt = System.nanoTime();
        await("the first attempt unanswered for longer than slow-after")
                .atMost(Duration.ofSeconds(5))
                .until(() -> System.nanoTime() - openedAt
                        > SLOW_AFTER.multipliedBy(2).toNanos());

        for (int i = 0; i < 3; i++) {
            deliver(client, "meanwhile-" + i);
        }

        // Without the rule the three take three more of the client's eight slots at once.
        await("the hanging attempt stays the only one while it is open")
                .during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(3))
                .until(() -> hanging.openNow(segment) <= 1);
        // Once the first has timed out the endpoint has still not answered: the three are attempted one at a time
        // (before ClientBreakers kept the unanswered to one, they went out together, all to hang again).
        await("once the first has timed out, the next is attempted")
                .atMost(Duration.ofSeconds(20))
                .until(() -> hanging.givenUp(segment) >= 1 && hanging.openNow(segment) == 1);
        await("one at a time while the endpoint has not answered")
                .during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(3))
                .until(() -> hanging.openNow(segment) <= 1);
    }
}
