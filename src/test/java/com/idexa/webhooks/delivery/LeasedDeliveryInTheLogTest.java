package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A delivery under a lease (V9: its end in {@code leased_until}), as the log shows it, and given back. */
class LeasedDeliveryInTheLogTest extends QueueTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Test
    void whileLeasedTheLogShowsTheLeasesEndAndAReleasedOneIsDueAgain() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        for (int i = 0; i < 5; i++) {
            deliver(client, "leased-" + i);
        }
        Map<UUID, Integer> onlyThis = Map.of(client.clientId(), 5); // other tests' leftovers stay where they are

        List<ClaimedDelivery> claimed = queue.claim(10, 0, onlyThis, Duration.ofSeconds(30), UUID.randomUUID());

        assertThat(claimed).hasSize(5);
        OffsetDateTime leaseEnds = jdbc.sql("SELECT leased_until FROM delivery_queue WHERE id = ?")
                .param(claimed.get(0).id())
                .query(OffsetDateTime.class)
                .single();
        assertThat(OffsetDateTime.parse(delivery(client, claimed.get(0).id().toString())
                                .get("nextAttemptAt")
                                .asString())
                        .toInstant())
                .as("while leased, the log says when the attempt under way is given up if it never reports")
                .isEqualTo(leaseEnds.toInstant());
        queue.release(claimed);
        List<ClaimedDelivery> again = queue.claim(10, 0, onlyThis, Duration.ofSeconds(30), UUID.randomUUID());
        assertThat(again).as("released, they are due again").hasSize(5);
        queue.release(again);
    }
}
