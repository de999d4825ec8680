package com.idexa.webhooks.intake;

import com.idexa.webhooks.config.IndexPlans;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Repository;

/**
 * Events and the creation of their deliveries, a whole batch per statement: recording a thousand events costs
 * the same few round trips as recording one.
 */
@Repository
class EventRepository {

    /** An event ready to insert; {@code eventKey} is the platform's eventId or the event's own id. */
    record NewEvent(
            UUID id, UUID clientId, String eventKey, int type, String documentId, String document, boolean test) {}

    /** Which client sent which key: how an event is found again. */
    record EventKey(UUID clientId, String eventKey) {}

    /**
     * Makes intake of one key one at a time: a transaction-level advisory lock per (client, key), taken in key
     * order (no deadlocks between batches) in a statement of its own, so the insert that follows, in a new
     * snapshot, sees every event a concurrent intake of the same key committed. Events are partitioned by day and
     * no unique index can span partitions; the lock closes the race a per-partition index would leave open at a
     * day's boundary (two intakes of one key, on either side of midnight).
     */
    private static final String LOCK_KEYS = """
            SELECT count(pg_advisory_xact_lock(k.hash)) FROM (
                SELECT DISTINCT hashtextextended(client_id::text || '/' || event_key, 0) AS hash
                FROM unnest(:clients, :keys) AS n (client_id, event_key)
                ORDER BY 1
            ) k""";

    /**
     * {@link #LOCK_KEYS} for a caller that must not wait: takes each key's lock only if it is free, and returns the
     * keys another transaction holds (their locks not taken; the caller gives up and rolls back).
     */
    private static final String TRY_LOCK_KEYS = """
            SELECT k.client_id, k.event_key FROM (
                SELECT DISTINCT client_id, event_key, hashtextextended(client_id::text || '/' || event_key, 0) AS hash
                FROM unnest(:clients, :keys) AS n (client_id, event_key)
                ORDER BY 3
            ) k
            WHERE NOT pg_try_advisory_xact_lock(k.hash)""";

    /**
     * Inserts the events whose key no partition holds yet (the keys are locked: see {@link #LOCK_KEYS}); of one key
     * given twice in a batch, the first.
     */
    private static final String INSERT_EVENTS = """
            INSERT INTO events (id, client_id, event_key, type, document_id, document, is_test)
            SELECT id, client_id, event_key, type, document_id, CAST(document AS json), is_test
            FROM (
                SELECT DISTINCT ON (client_id, event_key) *
                FROM unnest(:ids, :clients, :keys, :types, :documentIds, :documents, :tests) WITH ORDINALITY
                    AS given (id, client_id, event_key, type, document_id, document, is_test, position)
                ORDER BY client_id, event_key, position
            ) new
            LEFT JOIN LATERAL ( -- a probe of the index per key (see IndexPlans), never a hash of the partitions
                SELECT 1 AS found FROM events e WHERE e.client_id = new.client_id AND e.event_key = new.event_key
                  AND e.created_at < now() + interval '1 day' -- the days made ahead are empty: not probed
                LIMIT 1
            ) earlier ON true
            WHERE earlier.found IS NULL
            RETURNING id""";

    /**
     * A delivery for each new event whose client has a webhook of the event's type, with its queue row. A
     * delivery has its event's creation time (both are {@code now()} of the intake's transaction), so they share
     * a day's partition.
     */
    private static final String INSERT_DELIVERIES = """
            WITH new AS (
                INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status, next_attempt_at,
                                        created_at)
                SELECT gen_random_uuid(), n.event_id, now(), n.client_id, n.document_id, 'PENDING', now(), now()
                FROM unnest(:events, :clients, :documents, :types) AS n (event_id, client_id, document_id, type)
                WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.client_id = n.client_id AND w.type = n.type)
                RETURNING id, created_at, client_id, event_id, event_created_at
            ), queued AS (
                INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at, next_attempt_at)
                SELECT id, created_at, client_id, event_id, event_created_at, now() FROM new
            )
            SELECT event_id, id FROM new""";

    private final JdbcClient jdbc;

    EventRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** For the rest of the intake's transaction: every probe of the events by index (see {@link IndexPlans}). */
    void planByIndex() {
        IndexPlans.forThisTransaction(jdbc);
    }

    Set<UUID> existingClients(Collection<UUID> clientIds) {
        return Set.copyOf(jdbc.sql("SELECT c.id FROM unnest(:ids) AS k (id) JOIN clients c ON c.id = k.id")
                .param("ids", new SqlArrayValue("uuid", clientIds.toArray()))
                .query(UUID.class)
                .list());
    }

    /**
     * @param waitForKeys whether to wait while another transaction records one of these keys; if not, a key in use
     *     throws {@link KeysBusy} and nothing is inserted
     * @return the ids of the events inserted; an event whose key the client already sent is not
     */
    Set<UUID> insertNew(List<NewEvent> events, boolean waitForKeys) {
        if (waitForKeys) {
            jdbc.sql(LOCK_KEYS)
                    .param("clients", array("uuid", events, NewEvent::clientId))
                    .param("keys", array("text", events, NewEvent::eventKey))
                    .query(Long.class)
                    .single();
        } else {
            List<EventKey> busy = jdbc.sql(TRY_LOCK_KEYS)
                    .param("clients", array("uuid", events, NewEvent::clientId))
                    .param("keys", array("text", events, NewEvent::eventKey))
                    .query((rs, row) -> new EventKey(rs.getObject("client_id", UUID.class), rs.getString("event_key")))
                    .list();
            if (!busy.isEmpty()) {
                throw new KeysBusy(Set.copyOf(busy));
            }
        }
        return Set.copyOf(jdbc.sql(INSERT_EVENTS)
                .param("ids", array("uuid", events, NewEvent::id))
                .param("clients", array("uuid", events, NewEvent::clientId))
                .param("keys", array("text", events, NewEvent::eventKey))
                .param("types", array("int4", events, NewEvent::type))
                .param("documentIds", array("text", events, NewEvent::documentId))
                .param("documents", array("text", events, NewEvent::document))
                .param("tests", array("bool", events, NewEvent::test))
                .query(UUID.class)
                .list());
    }

    /** @return the new delivery of each event that got one, by event id */
    Map<UUID, UUID> insertDeliveries(Collection<NewEvent> inserted) {
        Map<UUID, UUID> deliveries = new HashMap<>();
        jdbc.sql(INSERT_DELIVERIES)
                .param("events", array("uuid", inserted, NewEvent::id))
                .param("clients", array("uuid", inserted, NewEvent::clientId))
                .param("documents", array("text", inserted, NewEvent::documentId))
                .param("types", array("int4", inserted, NewEvent::type))
                .query(rs -> {
                    deliveries.put(rs.getObject("event_id", UUID.class), rs.getObject("id", UUID.class));
                });
        return deliveries;
    }

    /** An event recorded before under a key, as a replay of it is answered and compared. */
    record EarlierEvent(RecordedEvent answer, int type, String document) {}

    /** Events already recorded under these keys, with their first delivery, for idempotent replays. */
    Map<EventKey, EarlierEvent> findByKeys(Collection<EventKey> keys) {
        Map<EventKey, EarlierEvent> found = new HashMap<>();
        jdbc.sql("""
                        SELECT e.client_id, e.event_key, e.type, e.document::text AS document,
                               (SELECT d.id FROM deliveries d
                                WHERE d.event_id = e.id AND d.event_created_at = e.created_at
                                  AND d.created_at >= e.created_at
                                ORDER BY d.created_at LIMIT 1) AS delivery_id
                        FROM unnest(:clients, :keys) AS k (client_id, event_key)
                        CROSS JOIN LATERAL ( -- by index, one probe per key (see IndexPlans)
                            SELECT * FROM events e WHERE e.client_id = k.client_id AND e.event_key = k.event_key
                            LIMIT 1 -- intake's lock per key keeps it to one
                        ) e""")
                .param("clients", array("uuid", keys, EventKey::clientId))
                .param("keys", array("text", keys, EventKey::eventKey))
                .query(rs -> {
                    found.put(
                            new EventKey(rs.getObject("client_id", UUID.class), rs.getString("event_key")),
                            new EarlierEvent(
                                    new RecordedEvent(
                                            rs.getString("event_key"), rs.getObject("delivery_id", UUID.class)),
                                    rs.getInt("type"),
                                    rs.getString("document")));
                });
        return found;
    }

    /** One column of a batch as a typed SQL array: a whole batch travels in one parameter. */
    private static <T> SqlArrayValue array(String type, Collection<T> rows, Function<T, ?> column) {
        return new SqlArrayValue(type, rows.stream().map(column).toArray());
    }
}
