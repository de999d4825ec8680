package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.HangingReceiver;
import com.idexa.webhooks.support.TestReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Endpoints that accept connections and never answer, more of them than the dispatcher has room for at their
 * per-client cap: once their attempts have timed out twice in a row they get one probe each, all probes together
 * within a tenth of the room, and healthy clients keep being delivered. An endpoint that answers again gets its
 * room back. What the hung endpoints hold is observed at the endpoints themselves.
 */
@TestPropertySource(
        properties = {
            "webhooks.delivery.max-in-flight=40",
            "webhooks.delivery.max-in-flight-per-client=8",
            "webhooks.delivery.trip-after=2",
            "webhooks.delivery.probe-share=0.1",
            "webhooks.outbound.request-timeout=2s",
            // hung deliveries stay due for the whole test: many short retries
            "webhooks.delivery.retry-delays=100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,"
                    + "100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,"
                    + "100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms"
        })
class HungEndpointsTest extends DeliveryTestSupport {

    private static final int HUNG = 6; // 6 × 8 per client > 40 in flight: without the breakers they hold it all
    private static final int MAX_PROBES = 4; // 10 % of 40
    private static final int HEALTHY = 3;

    private final HangingReceiver hanging = HangingReceiver.start();
    private final TestReceiver healthy = TestReceiver.start();
    /** Path segments of this test's hung endpoints: unique, since tests share the dispatcher and its breakers. */
    private final String run = "h" + UUID.randomUUID().toString().substring(0, 8) + "-";

    private int trippedBefore;

    @Autowired
    MeterRegistry meters;

    @AfterEach
    void stopReceivers() {
        hanging.close();
        healthy.close();
    }

    @Test
    void hungEndpointsAreTrippedToOneProbeEachWhileHealthyClientsKeepBeingDelivered() {
        List<ClientService.IssuedKey> hung = hungClients();
        awaitAllTripped(hung);

        hanging.resetPeaks();
        Map<String, ClientService.IssuedKey> healthyDeliveries = new HashMap<>();
        for (int i = 0; i < HEALTHY; i++) {
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", healthy.url("/ok/:id")));
            for (int d = 0; d < 10; d++) {
                healthyDeliveries.put(deliver(client, "healthy-" + i + "-" + d), client);
            }
        }
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> healthyDeliveries.forEach((id, client) -> assertThat(
                                delivery(client, id).get("status").asString())
                        .isEqualTo("SUCCEEDED")));

        // Seen from the endpoint, a probe the service gave up on stays open until the endpoint notices the close,
        // which may be after the next probe has connected: so each probe slot may count twice for a moment.
        assertThat(hanging.peakInAll())
                .as("attempts the hung endpoints held at once after tripping (without breakers: all 40)")
                .isLessThanOrEqualTo(2 * MAX_PROBES);
        for (int i = 0; i < HUNG; i++) {
            assertThat(hanging.peak(run + i))
                    .as("attempts one hung endpoint held at once after tripping (without breakers: 8)")
                    .isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aTrippedClientGetsItsRoomBackOnceItsEndpointAnswers() {
        List<ClientService.IssuedKey> hung = hungClients();
        awaitAllTripped(hung);

        hanging.answer(run + 0);
        List<String> later = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            later.add(deliver(hung.get(0), "after-recovery-" + d));
        }

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> later.forEach(
                        id -> assertThat(delivery(hung.get(0), id).get("status").asString())
                                .isEqualTo("SUCCEEDED")));
        await().atMost(Duration.ofSeconds(10)).until(() -> trippedClients() == trippedBefore + HUNG - 1);
    }

    /** Clients whose endpoints hang, each with more deliveries due than its per-client cap. */
    private List<ClientService.IssuedKey> hungClients() {
        trippedBefore = trippedClients();
        List<ClientService.IssuedKey> hung = new ArrayList<>();
        for (int i = 0; i < HUNG; i++) {
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", hanging.url("/" + run + i + "/:id")));
            hung.add(client);
            for (int d = 0; d < 10; d++) {
                deliver(client, "hung-" + i + "-" + d);
            }
        }
        return hung;
    }

    /**
     * Waits until every hung client is tripped and the attempts they started before tripping have timed out, so
     * what they hold from then on is their probes.
     */
    private void awaitAllTripped(List<ClientService.IssuedKey> hung) {
        await("every hung client tripped")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> trippedClients() == trippedBefore + hung.size());
        await("what the hung endpoints hold at once down to the probe cap")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> hanging.openNow() <= MAX_PROBES);
    }

    private int trippedClients() {
        var gauge = meters.find("webhook.delivery.clients.tripped").gauge();
        return gauge == null ? 0 : (int) gauge.value();
    }
}
