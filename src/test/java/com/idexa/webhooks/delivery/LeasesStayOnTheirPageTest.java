package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Claiming a delivery and renewing its lease change no indexed column of the queue (V9): each is a HOT update, a new
 * row version on the same page and no index entry, where moving {@code next_attempt_at} wrote one in both indexes per
 * row. On a database of its own: on pages other work has filled, a version may not fit (and is then written
 * elsewhere, as before), which would make the count depend on the tests before it.
 */
class LeasesStayOnTheirPageTest {

    @Test
    void aClaimAndTheRenewalOfItsLeaseAreHotUpdates() {
        SingleConnectionDataSource connection = TestDatabase.migratedConnection("hot_leases_", "");
        JdbcClient jdbc = JdbcClient.create(connection);
        UUID client = UUID.randomUUID();
        jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'c', now())")
                .param(client)
                .update();
        QueueSeeds.due(jdbc, client, 5);
        DeliveryQueue queue = new DeliveryQueue(connection);

        // pg_stat_xact_user_tables counts this transaction's own updates, exactly and at once
        Map<String, Object> updates = new TransactionTemplate(new DataSourceTransactionManager(connection))
                .execute(transaction -> {
                    List<ClaimedDelivery> taken =
                            queue.claim(10, 5, Map.of(), Duration.ofSeconds(30), UUID.randomUUID());
                    assertThat(taken).hasSize(5);
                    assertThat(queue.renewLeases(taken, Duration.ofSeconds(30))).hasSize(5);
                    return jdbc.sql("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                                    + "WHERE relname = 'delivery_queue'")
                            .query()
                            .singleRow();
                });
        connection.destroy();

        assertThat(((Number) updates.get("n_tup_upd")).longValue()).isEqualTo(10);
        assertThat(((Number) updates.get("n_tup_hot_upd")).longValue())
                .as("every claim and renewal stays on its page")
                .isEqualTo(10);
    }
}
