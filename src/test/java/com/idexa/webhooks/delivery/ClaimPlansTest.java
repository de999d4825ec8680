package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.TestDatabase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A claim reads what it takes, whatever PostgreSQL believed about the queue when it planned the statement. A
 * connection keeps a generic plan once a statement has run a few times; one made while the queue was empty (a quiet
 * night, a new instance) survives until the table is analyzed again, and a million deliveries can arrive before
 * that (a client's backlog recovered, a burst of intake). The benchmark caught claims of 47 to 100 s that way:
 * plans that scanned the whole queue once per claimed row.
 */
class ClaimPlansTest {

    private static final int BACKLOG = 30_000;

    @Test
    void aClaimItsRenewalAndItsOutcomePlannedOnAnEmptyQueueReadOnlyWhatTheyTouchOnceABacklogArrived() {
        SingleConnectionDataSource connection = TestDatabase.keptPlansConnection("claim_plans_");
        JdbcClient jdbc = JdbcClient.create(connection);
        jdbc.sql("ALTER TABLE delivery_queue SET (autovacuum_enabled = false)").update(); // nor of the queue
        UUID backlogged = UUID.randomUUID();
        jdbc.sql("INSERT INTO clients (id, name, created_at) SELECT gen_random_uuid(), 'c' || g, now() "
                        + "FROM generate_series(1, 20) g")
                .update();
        jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'backlogged', now())")
                .param(backlogged)
                .update();
        jdbc.sql("ANALYZE").update();
        DeliveryQueue queue = new DeliveryQueue(connection);
        for (int i = 0; i < 10; i++) { // the plans of an empty queue, kept by the connection
            assertThat(queue.claim(100, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID()))
                    .isEmpty();
            assertThat(queue.recordAttempts(List.of()).leaseLost()).isEmpty();
            assertThat(queue.renewLeases(List.of(nobody()), Duration.ofSeconds(30)))
                    .isEmpty();
            assertThat(queue.release(List.of(nobody()))).isZero();
        }

        QueueSeeds.due(jdbc, backlogged, BACKLOG);

        Map<String, Object> read = new TransactionTemplate(new DataSourceTransactionManager(connection))
                .execute(transaction -> {
                    List<ClaimedDelivery> claimed =
                            queue.claim(100, 8, Map.of(backlogged, 1), Duration.ofSeconds(30), UUID.randomUUID());
                    assertThat(claimed).hasSize(1);
                    assertThat(queue.renewLeases(claimed, Duration.ofSeconds(30)))
                            .hasSize(1);
                    OffsetDateTime now = claimed.get(0).now();
                    AttemptRecord failed = new AttemptRecord(now, 5, "POST", "http://x/d", 503, null, "", null, "5xx");
                    assertThat(queue.recordAttempts(List.of(Outcome.attempted(
                                            claimed.get(0),
                                            failed,
                                            OutcomePolicy.Decision.retryIn(1, Duration.ofMinutes(1)))))
                                    .leaseLost())
                            .isEmpty();
                    return jdbc.sql("""
                                    SELECT coalesce(sum(seq_tup_read), 0) AS scanned,
                                           coalesce(sum(idx_tup_fetch), 0) AS fetched
                                    FROM pg_stat_xact_user_tables
                                    WHERE relname = 'delivery_queue' OR relname LIKE 'deliveries%'""").query().singleRow();
                });
        connection.destroy();

        assertThat(((Number) read.get("scanned")).longValue())
                .as("rows of the queue and the history read by scanning them")
                .isZero();
        assertThat(((Number) read.get("fetched")).longValue())
                .as("rows of the queue and the history fetched through an index")
                .isLessThan(100);
    }

    /**
     * Whether a client's endpoint is disabled is a fact about the client: a claim asks it once a client, however many
     * rows it then takes of that client. The planner had put the question after the walk, once a due row (the
     * benchmark's claim: 700 questions for 92 clients, a third of the claim's buffers).
     */
    @Test
    void aClaimAsksWhetherAnEndpointIsDisabledOnceAClientNotOnceARow() {
        SingleConnectionDataSource connection = TestDatabase.keptPlansConnection("claim_disabled_");
        JdbcClient jdbc = JdbcClient.create(connection);
        int clients = 10;
        for (int i = 0; i < clients; i++) {
            UUID client = UUID.randomUUID();
            jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, ?, now())")
                    .params(client, "c" + i)
                    .update();
            QueueSeeds.due(jdbc, client, 8);
        }
        DeliveryQueue queue = new DeliveryQueue(connection);

        Map<String, Object> read = new TransactionTemplate(new DataSourceTransactionManager(connection))
                .execute(transaction -> {
                    assertThat(queue.claim(100, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID()))
                            .hasSize(clients * 8);
                    return jdbc.sql("SELECT idx_scan, seq_scan FROM pg_stat_xact_user_tables "
                                    + "WHERE relname = 'endpoint_health'")
                            .query()
                            .singleRow();
                });
        connection.destroy();

        assertThat(((Number) read.get("idx_scan")).longValue() + ((Number) read.get("seq_scan")).longValue())
                .as("lookups of endpoint_health for %d clients with 8 due rows each", clients)
                .isLessThanOrEqualTo(clients);
    }

    /**
     * The claim's lock step reaches each row by its id. The benchmark caught a plan that reached it through the due
     * index instead, matching the id as a filter: every claimed row cost a scan of every due row, 123 s a claim
     * beside a dead client's million. PostgreSQL had planned it while its statistics said next to nothing was due
     * (the queue's rows all waiting to retry), which made "due" look like one row.
     */
    @Test
    void aClaimPlannedWhileNothingWasDueLocksItsRowsByIdOnceABacklogIsDue() {
        SingleConnectionDataSource connection = TestDatabase.keptPlansConnection("claim_lock_by_id_");
        JdbcClient jdbc = JdbcClient.create(connection);
        jdbc.sql("ALTER TABLE delivery_queue SET (autovacuum_enabled = false)").update();
        UUID waiting = UUID.randomUUID();
        UUID backlogged = UUID.randomUUID();
        for (UUID client : List.of(waiting, backlogged)) {
            jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'c', now())")
                    .param(client)
                    .update();
        }
        QueueSeeds.due(jdbc, waiting, 10_000);
        jdbc.sql("UPDATE delivery_queue SET next_attempt_at = now() + interval '1 hour'")
                .update(); // retries
        jdbc.sql("ANALYZE").update();
        DeliveryQueue queue = new DeliveryQueue(connection);
        for (int i = 0; i < 10; i++) { // the plans of a queue with nothing due, kept by the connection
            assertThat(queue.claim(100, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID()))
                    .isEmpty();
        }

        QueueSeeds.due(jdbc, backlogged, BACKLOG);

        long read = new TransactionTemplate(new DataSourceTransactionManager(connection)).execute(transaction -> {
            assertThat(queue.claim(100, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID()))
                    .hasSize(8);
            return jdbc.sql("SELECT pg_stat_get_xact_tuples_returned('delivery_queue_client_due'::regclass)")
                    .query(Long.class)
                    .single();
        });
        connection.destroy();

        assertThat(read)
                .as("entries of the due index read by a claim of 8 rows beside %d due ones", BACKLOG)
                .isLessThan(1_000);
    }

    /** A held delivery no queue row has. */
    private static ClaimedDelivery nobody() {
        return new ClaimedDelivery(
                UUID.randomUUID(),
                UUID.randomUUID(),
                "k",
                UUID.randomUUID(),
                "d",
                "{}",
                0,
                0,
                UUID.randomUUID(),
                OffsetDateTime.now(),
                null,
                0,
                OffsetDateTime.now(),
                System.nanoTime(),
                DeliveryStatus.PENDING);
    }
}
