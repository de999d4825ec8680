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
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Claiming a delivery and renewing its lease change no indexed column of the queue (V9): each is a HOT update,
 * a new row version on the same page and no index entry, where moving {@code next_attempt_at} wrote one in both
 * indexes per row.
 */
class LeasesStayOnTheirPageTest extends QueueTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlatformTransactionManager transactionManager;

    @Test
    void aClaimAndTheRenewalOfItsLeaseAreHotUpdates() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        for (int i = 0; i < 5; i++) {
            deliver(client, "hot-" + i);
        }

        // pg_stat_xact_user_tables counts this transaction's own updates, exactly and at once
        List<ClaimedDelivery> claimed = new TransactionTemplate(transactionManager).execute(transaction -> {
            List<ClaimedDelivery> taken =
                    queue.claim(10, 0, onlyThis(client), Duration.ofSeconds(30), UUID.randomUUID());
            assertThat(queue.renewLeases(taken, Duration.ofSeconds(30))).hasSize(taken.size());
            Map<String, Object> updates = jdbc.sql("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                            + "WHERE relname = 'delivery_queue'")
                    .query()
                    .singleRow();
            assertThat(((Number) updates.get("n_tup_upd")).longValue()).isEqualTo(2L * taken.size());
            assertThat(((Number) updates.get("n_tup_hot_upd")).longValue())
                    .as("every claim and renewal stays on its page")
                    .isEqualTo(2L * taken.size());
            return taken;
        });

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
        List<ClaimedDelivery> again = queue.claim(10, 0, onlyThis(client), Duration.ofSeconds(30), UUID.randomUUID());
        assertThat(again).as("released, they are due again").hasSize(5);
        queue.release(again);
    }

    /** Room for this client's five and none for any other's (other tests' leftovers stay where they are). */
    private static Map<UUID, Integer> onlyThis(ClientService.IssuedKey client) {
        return Map.of(client.clientId(), 5);
    }
}
