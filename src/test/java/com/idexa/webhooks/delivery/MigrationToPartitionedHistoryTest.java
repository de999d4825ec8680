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
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A database recorded under V4 (one deliveries table, queue and history at once) migrates to the partitioned
 * history and its queue: every row keeps its id (delivery ids are public: the webhook-id header, the log's ids)
 * and times, attempts stay with their deliveries, and a pending delivery is still claimed and recorded.
 */
class MigrationToPartitionedHistoryTest {

    private static final UUID CLIENT = UUID.randomUUID();
    private static final UUID FINISHED_EVENT = UUID.randomUUID();
    private static final UUID FINISHED = UUID.randomUUID();
    private static final UUID PENDING_EVENT = UUID.randomUUID();
    private static final UUID PENDING = UUID.randomUUID();

    @Test
    void keepsEveryRowAndItsIdAndStillDeliversThePendingOnes() {
        DriverManagerDataSource database = TestDatabase.fresh("migration_").dataSource();
        JdbcClient jdbc = JdbcClient.create(database);
        TestDatabase.flyway(database, "4").migrate();
        recordUnderV4(jdbc);
        Map<String, Object> finishedBefore = jdbc.sql("SELECT * FROM deliveries WHERE id = ?")
                .param(FINISHED)
                .query()
                .singleRow();

        TestDatabase.flyway(database, "latest").migrate();

        Map<String, Object> finishedAfter = jdbc.sql("SELECT * FROM deliveries WHERE id = ?")
                .param(FINISHED)
                .query()
                .singleRow();
        for (String column : List.of(
                "id",
                "event_id",
                "client_id",
                "document_id",
                "status",
                "attempt_count",
                "created_at",
                "finished_at",
                "last_status_code",
                "last_error")) {
            assertThat(finishedAfter.get(column)).as(column).isEqualTo(finishedBefore.get(column));
        }
        assertThat(jdbc.sql("SELECT id FROM delivery_attempts WHERE delivery_id = ?")
                        .param(FINISHED)
                        .query(Long.class)
                        .list())
                .containsExactly(7L);
        assertThat(jdbc.sql("SELECT event_key FROM events WHERE id = ?")
                        .param(PENDING_EVENT)
                        .query(String.class)
                        .single())
                .isEqualTo("evt-pending");
        assertThat(jdbc.sql("SELECT id FROM delivery_queue").query(UUID.class).list())
                .containsExactly(PENDING);

        DeliveryQueue queue = new DeliveryQueue(database);
        List<ClaimedDelivery> claimed = queue.claim(10, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID());
        assertThat(claimed).extracting(ClaimedDelivery::id).containsExactly(PENDING);
        assertThat(claimed.get(0).document()).isEqualTo("{\"id\": \"doc-2\"}");
        assertThat(claimed.get(0).eventKey()).isEqualTo("evt-pending");
        OffsetDateTime now = claimed.get(0).now();
        assertThat(queue.recordAttempts(List.of(Outcome.attempted(
                                claimed.get(0),
                                new AttemptRecord(
                                        now, 5, "POST", "http://example.com/doc-2", 200, null, "ok", null, "2xx"),
                                OutcomePolicy.Decision.succeeded(0))))
                        .leaseLost())
                .isEmpty();
        assertThat(jdbc.sql("SELECT status FROM deliveries WHERE id = ?")
                        .param(PENDING)
                        .query(String.class)
                        .single())
                .isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("SELECT id FROM delivery_attempts WHERE delivery_id = ?")
                        .param(PENDING)
                        .query(Long.class)
                        .list())
                .as("new attempts number on from the old ones")
                .allMatch(id -> id > 7);
        assertThat(jdbc.sql("SELECT count(*) FROM delivery_queue")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private static void recordUnderV4(JdbcClient jdbc) {
        jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'Old client', now() - interval '3 days')")
                .param(CLIENT)
                .update();
        jdbc.sql("""
                        INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                        VALUES (?, ?, 'evt-finished', 0, 'doc-1', '{"id": "doc-1"}', now() - interval '2 days'),
                               (?, ?, 'evt-pending', 0, 'doc-2', '{"id": "doc-2"}', now() - interval '1 day')""").params(FINISHED_EVENT, CLIENT, PENDING_EVENT, CLIENT).update();
        jdbc.sql("""
                        INSERT INTO deliveries (id, event_id, client_id, document_id, status, attempt_count,
                                                next_attempt_at, created_at, last_attempt_at, last_status_code,
                                                finished_at)
                        VALUES (?, ?, ?, 'doc-1', 'SUCCEEDED', 1, NULL, now() - interval '2 days',
                                now() - interval '2 days', 200, now() - interval '2 days'),
                               (?, ?, ?, 'doc-2', 'PENDING', 2, now() - interval '1 minute', now() - interval '1 day',
                                now() - interval '1 hour', 503, NULL)""")
                .params(FINISHED, FINISHED_EVENT, CLIENT, PENDING, PENDING_EVENT, CLIENT)
                .update();
        jdbc.sql("""
                        INSERT INTO delivery_attempts (id, delivery_id, attempted_at, duration_ms, status_code)
                        OVERRIDING SYSTEM VALUE VALUES (7, ?, now() - interval '2 days', 12, 200)""").param(FINISHED).update();
    }
}
