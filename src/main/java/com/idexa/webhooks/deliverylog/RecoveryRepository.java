package com.idexa.webhooks.deliverylog;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The statements of a recovery, all in the caller's transaction and all bounded by the window on the history's
 * partition key ({@code created_at}), so PostgreSQL reads only the window's daily partitions.
 */
@Repository
class RecoveryRepository {

    /** Events of the window that have no delivery (the client had no webhook of their type when they came). */
    private static final String WITHOUT_DELIVERY = """
            FROM events e
            WHERE e.client_id = :client AND e.type = :type AND e.created_at >= :since AND e.created_at < :until
              AND NOT EXISTS (SELECT 1 FROM deliveries d -- a delivery has its event's created_at: one partition
                              WHERE d.client_id = e.client_id AND d.created_at = e.created_at
                                AND d.event_id = e.id AND d.event_created_at = e.created_at)
            """;

    /** FAILED deliveries of the window (a condition on deliveries d). */
    private static final String FAILED = """
            d.client_id = :client AND d.status = 'FAILED' AND d.created_at >= :since AND d.created_at < :until
            """;

    private final JdbcClient jdbc;

    RecoveryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The type of the client's webhook; empty when it has none. */
    Optional<Integer> webhookType(UUID clientId) {
        return jdbc.sql("SELECT type FROM webhooks WHERE client_id = ?")
                .param(clientId)
                .query(Integer.class)
                .optional();
    }

    /**
     * Recoveries of one client run one at a time (the lock is held until the transaction ends), so none recovers a
     * row twice. Not waited for: a request that waited would hold a pooled connection meanwhile, and a client
     * sending many at once would take them all.
     *
     * @return whether this transaction has the lock
     */
    boolean tryLockClient(UUID clientId) {
        return jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtextextended('webhooks recover/' || ?, 0))")
                .param(clientId.toString())
                .query(Boolean.class)
                .single();
    }

    /** How many rows a recovery of this window would touch, counted up to {@code max + 1}. */
    long count(UUID clientId, int type, OffsetDateTime since, OffsetDateTime until, int max) {
        return jdbc.sql("SELECT (SELECT count(*) FROM (SELECT 1 FROM deliveries d WHERE " + FAILED + " LIMIT :max) f) "
                        + "+ (SELECT count(*) FROM (SELECT 1 " + WITHOUT_DELIVERY + " LIMIT :max) m)")
                .param("client", clientId)
                .param("type", type)
                .param("since", since)
                .param("until", until)
                .param("max", max + 1)
                .query(Long.class)
                .single();
    }

    /**
     * Sends the window's FAILED deliveries again with a fresh retry schedule (back to PENDING and into the queue)
     * and makes a delivery for each event of the window that has none (with its event's creation time, as intake
     * does: they share a partition). Both fall due in the order they were created: each is due from its creation
     * time, and a claim takes a client's due deliveries oldest first.
     */
    Recovery.Result recover(UUID clientId, int type, OffsetDateTime since, OffsetDateTime until) {
        return jdbc.sql("""
                        WITH requeued AS (
                            UPDATE deliveries d
                            SET status = 'PENDING', next_attempt_at = d.created_at, schedule_failures = 0,
                                finished_at = NULL
                            WHERE
                        """ + FAILED + """
                            RETURNING d.id, d.created_at, d.client_id, d.event_id, d.event_created_at, d.attempt_count
                        ), created AS (
                            INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                                    next_attempt_at, created_at)
                            SELECT gen_random_uuid(), e.id, e.created_at, e.client_id, e.document_id, 'PENDING',
                                   e.created_at, e.created_at
                        """ + WITHOUT_DELIVERY + """
                            RETURNING id, created_at, client_id, event_id, event_created_at, attempt_count
                        ), queued AS (
                            INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at,
                                                        next_attempt_at, attempt_count)
                            SELECT id, created_at, client_id, event_id, event_created_at, least(created_at, now()),
                                   attempt_count
                            FROM (SELECT * FROM requeued UNION ALL SELECT * FROM created) r
                        )
                        SELECT (SELECT count(*) FROM requeued) AS requeued, (SELECT count(*) FROM created) AS created
                        """)
                .param("client", clientId)
                .param("type", type)
                .param("since", since)
                .param("until", until)
                .query((rs, row) -> new Recovery.Result(rs.getInt("requeued"), rs.getInt("created")))
                .single();
    }
}
