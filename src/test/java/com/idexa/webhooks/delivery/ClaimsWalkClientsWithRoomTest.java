package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A claim takes each client's due work up to its room: a full client's backlog is skipped, the others' taken. */
class ClaimsWalkClientsWithRoomTest extends QueueTestSupport {

    @Test
    void skipsAFullClientsBacklogAndTakesTheOthersWorkUpToTheirRoom() {
        ClientService.IssuedKey full = newClient();
        ClientService.IssuedKey someRoom = newClient();
        ClientService.IssuedKey free = newClient();
        for (ClientService.IssuedKey client : List.of(full, someRoom, free)) {
            registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        }
        for (int i = 0; i < 5; i++) {
            deliver(full, "backlog-" + i); // the oldest due work of all
        }
        for (int i = 0; i < 3; i++) {
            deliver(someRoom, "some-" + i);
            deliver(free, "free-" + i);
        }

        List<ClaimedDelivery> claimed = queue.claim(
                10_000,
                2,
                Map.of(full.clientId(), 0, someRoom.clientId(), 1),
                Duration.ofSeconds(30),
                UUID.randomUUID());

        assertThat(claimed).noneMatch(delivery -> delivery.clientId().equals(full.clientId()));
        assertThat(claimed)
                .filteredOn(delivery -> delivery.clientId().equals(someRoom.clientId()))
                .hasSize(1)
                .extracting(ClaimedDelivery::documentId)
                .containsExactly("some-0");
        assertThat(claimed)
                .filteredOn(delivery -> delivery.clientId().equals(free.clientId()))
                .extracting(ClaimedDelivery::documentId)
                .as("its two oldest, in whatever order the statement returns them")
                .containsExactlyInAnyOrder("free-0", "free-1");
        assertThat(claimed)
                .filteredOn(delivery -> delivery.clientId().equals(free.clientId()))
                .allSatisfy(delivery -> {
                    assertThat(delivery.document()).contains("\"id\": \"" + delivery.documentId() + "\"");
                    assertThat(delivery.webhookId()).isNotNull();
                    assertThat(delivery.status()).isEqualTo(DeliveryStatus.PENDING);
                });
        queue.release(claimed); // other tests' leftovers it took are due again at once
    }
}
