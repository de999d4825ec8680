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
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A claim walks the clients that have something queued, not every registered client: most clients of a busy
 * platform are idle at any moment, and walking them all cost 5 µs each on every claim of every instance (5 ms a
 * claim at 1,000 clients, a third of the claim's time in the benchmark's throughput scenario).
 */
class ClaimsSkipIdleClientsTest {

    private static final int IDLE_CLIENTS = 3_000;

    @Test
    void aClaimLooksOnlyAtClientsWithQueuedDeliveries() {
        SingleConnectionDataSource connection = TestDatabase.migratedConnection("claims_idle_", "");
        JdbcClient jdbc = JdbcClient.create(connection);
        jdbc.sql("INSERT INTO clients (id, name, created_at) SELECT gen_random_uuid(), 'idle' || g, now() "
                        + "FROM generate_series(1, ?) g")
                .param(IDLE_CLIENTS)
                .update();
        List<UUID> busy = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        for (UUID client : busy) {
            jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'busy', now())")
                    .param(client)
                    .update();
            QueueSeeds.due(jdbc, client, client.equals(busy.get(2)) ? 5_000 : 5); // the third: a backlog
        }
        jdbc.sql("VACUUM ANALYZE").update();
        // the backlog's earliest 4,000 were delivered since the last vacuum: dead, still in the index. (On another
        // connection: a backend's pg_stat_get_xact_* counts include its earlier transactions' until it flushes them.)
        JdbcClient.create(new DriverManagerDataSource(
                        connection.getUrl(), connection.getUsername(), connection.getPassword()))
                .sql("DELETE FROM delivery_queue WHERE id IN (SELECT id FROM delivery_queue WHERE client_id = ?"
                        + " ORDER BY next_attempt_at LIMIT 4000)")
                .param(busy.get(2))
                .update();
        DeliveryQueue queue = new DeliveryQueue(connection);

        Map<String, Object> read = new TransactionTemplate(new DataSourceTransactionManager(connection))
                .execute(transaction -> {
                    assertThat(queue.claim(100, 8, Map.of(busy.get(2), 0), Duration.ofSeconds(30), UUID.randomUUID()))
                            .as("the backlog's client has no room: the other two's five each")
                            .hasSize(5 + 5)
                            .allMatch(delivery -> busy.contains(delivery.clientId()));
                    return jdbc.sql("""
                                    SELECT pg_stat_get_xact_numscans('delivery_queue_client_due'::regclass) AS probes,
                                           pg_stat_get_xact_tuples_returned('delivery_queue_client_due'::regclass)
                                               AS entries""").query().singleRow();
                });
        connection.destroy();

        assertThat(((Number) read.get("probes")).longValue())
                .as("descents of the queue's client index: finding the three clients, then taking each one's rows"
                        + " (walking every registered client took one per client)")
                .isBetween(3L, 30L);
        assertThat(((Number) read.get("entries")).longValue())
                .as("entries of that index read: the rows taken and a step per client; not the full backlog's rows,"
                        + " live or dead (a backlog with room is walked from its earliest, dead ones included)")
                .isBetween(10L, 100L);
    }
}
