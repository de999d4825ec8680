package com.idexa.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.IntegrationTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Events are partitioned by day, and no unique index spans partitions: two intakes of one eventId on either side
 * of midnight land in different partitions, so only intake's lock per key keeps them to one event.
 */
class ConcurrentDuplicateIntakeTest extends IntegrationTest {

    @Autowired
    EventIntakeService intake;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Test
    void twoConcurrentIntakesOfOneEventIdAcrossMidnightRecordOneEvent() throws Exception {
        ClientService.IssuedKey client = newClient();
        LocalDate yesterday = jdbc.sql("SELECT CAST(now() AT TIME ZONE 'UTC' AS date) - 1")
                .query(LocalDate.class)
                .single();
        jdbc.sql("SELECT make_history_partitions(?, 1)")
                .param(yesterday)
                .query()
                .listOfRows();
        String eventId = "evt-midnight-" + UUID.randomUUID();

        try (Connection beforeMidnight = dataSource.getConnection()) {
            // An intake whose transaction began yesterday: it locks the key as intake does and records the event in
            // yesterday's partition, but has not committed yet.
            beforeMidnight.setAutoCommit(false);
            try (PreparedStatement lock = beforeMidnight.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtextextended(?::text || '/' || ?, 0))")) {
                lock.setObject(1, client.clientId());
                lock.setString(2, eventId);
                lock.executeQuery().close();
            }
            try (PreparedStatement insert = beforeMidnight.prepareStatement("""
                    INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                    VALUES (gen_random_uuid(), ?, ?, 0, 'doc', '{"id": "doc"}', ?)""")) {
                insert.setObject(1, client.clientId());
                insert.setString(2, eventId);
                insert.setObject(3, yesterday.atTime(23, 59, 59).atOffset(ZoneOffset.UTC));
                insert.executeUpdate();
            }

            // The same eventId again, today.
            CompletableFuture<RecordedEvent> afterMidnight =
                    CompletableFuture.supplyAsync(() -> intake.recordDocumentFinished(
                            new DocumentEvent(eventId, client.clientId(), 0, "{\"id\": \"doc\"}")));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> afterMidnight.isDone()
                            || jdbc.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                                            .query(Long.class)
                                            .single()
                                    > 0);
            beforeMidnight.commit();

            RecordedEvent replayed = afterMidnight.get(20, TimeUnit.SECONDS);
            assertThat(replayed.eventId()).isEqualTo(eventId);
        }
        assertThat(jdbc.sql("SELECT created_at FROM events WHERE client_id = ? AND event_key = ?")
                        .params(client.clientId(), eventId)
                        .query(OffsetDateTime.class)
                        .list())
                .as("one event, the first one")
                .hasSize(1)
                .allMatch(createdAt -> createdAt.toLocalDate().equals(yesterday));
    }
}
