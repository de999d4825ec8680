package com.idexa.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.delivery.TestNotifications;
import com.idexa.webhooks.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Intake reads the events it probes, whatever PostgreSQL believed about today's partition when it planned the
 * statements. Each day starts with an empty partition; a connection keeps the plans it made then, and one that
 * hashed the partition to find earlier events with a new event's key went on reading all of it, once per intake
 * transaction, until autovacuum analyzed it again (16.7 million rows read for 15,811 events on a scratch database).
 */
class IntakePlansTest {

    private static final int EARLIER = 30_000;

    @Test
    void anIntakeAndAReplayPlannedOnAnEmptyPartitionReadOnlyTheKeysTheyProbeOnceTheDayFilledUp() {
        SingleConnectionDataSource connection = TestDatabase.keptPlansConnection("intake_plans_");
        JdbcClient jdbc = JdbcClient.create(connection);
        UUID client = UUID.randomUUID();
        jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'c', now())")
                .param(client)
                .update();
        jdbc.sql("INSERT INTO webhooks (id, client_id, name, type, method, url, secrets, created_at, updated_at) "
                        + "VALUES (gen_random_uuid(), ?, 'w', 0, 'POST', 'https://example.com/:id', '', now(), now())")
                .param(client)
                .update(); // its deliveries are written too (a secret is only read when one is sent)
        jdbc.sql("ANALYZE").update();
        JsonMapper json = new JsonMapper();
        EventIntakeService intake = new EventIntakeService(
                new EventRepository(jdbc), TestNotifications.on(connection), new SimpleMeterRegistry(), json);
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(connection));
        for (int i = 0; i < 10; i++) { // the plans of an empty day, kept by the connection
            DocumentEvent event = event(client, "early-" + i);
            transactions.executeWithoutResult(transaction -> intake.recordDocumentsFinished(List.of(event)));
        }

        jdbc.sql("""
                        INSERT INTO events (id, client_id, event_key, type, document_id, document)
                        SELECT gen_random_uuid(), ?, 'seeded-' || g, 0, 'd' || g, '{"id": "d"}'
                        FROM generate_series(1, ?) g""").params(client, EARLIER).update();

        Map<String, Object> read = transactions.execute(transaction -> {
            intake.recordDocumentsFinished(List.of(event(client, "new")));
            intake.recordDocumentsFinished(
                    List.of(new DocumentEvent("seeded-7", client, 0, "{\"id\": \"d\"}"))); // a replay
            return jdbc.sql("""
                            SELECT coalesce(sum(seq_tup_read), 0) AS scanned,
                                   coalesce(sum(idx_tup_fetch), 0) AS fetched
                            FROM pg_stat_xact_user_tables
                            WHERE relname LIKE 'events%' OR relname LIKE 'deliveries%'""").query().singleRow();
        });
        connection.destroy();

        assertThat(((Number) read.get("scanned")).longValue())
                .as("events and deliveries read by scanning a partition")
                .isZero();
        assertThat(((Number) read.get("fetched")).longValue())
                .as("events and deliveries fetched through an index")
                .isLessThan(100);
    }

    private static DocumentEvent event(UUID client, String eventId) {
        return new DocumentEvent(eventId, client, 0, "{\"id\": \"" + eventId + "\"}");
    }
}
