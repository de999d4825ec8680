package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.delivery.DeliveryStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads and manual changes of the delivery log; every query is scoped to the asking client. */
@Repository
class DeliveryLogRepository {

    private static final String ITEM_COLUMNS = """
            d.id, e.event_key, d.document_id, d.status, d.attempt_count, d.created_at, d.last_attempt_at,
            CASE WHEN d.status = 'PENDING' -- while leased, when the attempt under way is given up if it never reports
                THEN coalesce(greatest(q.next_attempt_at, CASE WHEN q.lease_token IS NOT NULL THEN q.leased_until END),
                              d.next_attempt_at) END AS next_attempt_at,
            d.last_status_code, d.last_error""";

    /**
     * A delivery's event key (one probe in the event's own partition: the LIMIT keeps it a probe rather than a
     * join over every partition) and, while it is pending, its queue row.
     */
    private static final String ITEM_JOINS = """
            CROSS JOIN LATERAL (
                SELECT e.event_key FROM events e
                WHERE e.id = d.event_id AND e.created_at = d.event_created_at LIMIT 1
            ) e
            LEFT JOIN delivery_queue q ON q.id = d.id""";

    private final JdbcClient jdbc;

    DeliveryLogRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One page of the log, newest first: the page is taken from the deliveries alone (per partition, an index on
     * the client, or the client and document, in time order, merged), and only its rows are joined. The page size
     * is part of the text, not a parameter: a generic plan (see {@link #preferGenericPlans}) cannot know a
     * parameter's LIMIT and plans for a tenth of the client's rows, which joined the queue by hashing all of it
     * (EXPLAIN at 1,000,000 deliveries of one client: a sequential scan of delivery_queue on every page).
     */
    static String listSql(boolean byStatus, boolean byDocument, boolean afterCursor, int limit) {
        StringBuilder sql = new StringBuilder(
                "SELECT " + ITEM_COLUMNS + " FROM (SELECT * FROM deliveries d WHERE d.client_id = :client");
        if (byStatus) {
            sql.append(" AND d.status = :status");
        }
        if (byDocument) {
            sql.append(" AND d.document_id = :documentId");
        }
        if (afterCursor) {
            sql.append(" AND (d.created_at, d.id) < (:afterCreatedAt, :afterId)");
        }
        sql.append(" ORDER BY d.created_at DESC, d.id DESC LIMIT ")
                .append(limit) // an int: nothing a client wrote reaches the text
                .append(") d ")
                .append(ITEM_JOINS)
                .append(" ORDER BY d.created_at DESC, d.id DESC");
        return sql.toString();
    }

    List<DeliveryView.Item> list(UUID clientId, DeliveryStatus status, String documentId, LogCursor after, int limit) {
        String sql = listSql(status != null, documentId != null, after != null, limit);
        JdbcClient.StatementSpec statement = jdbc.sql(sql).param("client", clientId);
        if (status != null) {
            statement = statement.param("status", status.name());
        }
        if (documentId != null) {
            statement = statement.param("documentId", documentId);
        }
        if (after != null) {
            statement = statement.param("afterCreatedAt", after.createdAt()).param("afterId", after.id());
        }
        return statement.query(DeliveryLogRepository::item).list();
    }

    Optional<DeliveryView.Item> find(UUID clientId, UUID deliveryId) {
        return jdbc.sql("SELECT " + ITEM_COLUMNS + " FROM deliveries d " + ITEM_JOINS
                        + " WHERE d.id = ? AND d.client_id = ?")
                .params(deliveryId, clientId)
                .query(DeliveryLogRepository::item)
                .optional();
    }

    /** Whether the client's endpoint is DISABLED: its pending deliveries are held (V7). */
    boolean endpointDisabled(UUID clientId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM endpoint_health WHERE client_id = ? AND state = 'DISABLED')")
                .param(clientId)
                .query(Boolean.class)
                .single();
    }

    List<DeliveryView.Attempt> attempts(UUID deliveryId) {
        return jdbc.sql("""
                        SELECT attempted_at, duration_ms, method, url, status_code, error, response_body
                        FROM delivery_attempts WHERE delivery_id = ? ORDER BY id""")
                .param(deliveryId)
                .query((rs, row) -> new DeliveryView.Attempt(
                        rs.getObject("attempted_at", OffsetDateTime.class),
                        rs.getLong("duration_ms"),
                        rs.getString("method"),
                        rs.getString("url"),
                        (Integer) rs.getObject("status_code"),
                        rs.getString("error"),
                        rs.getString("response_body")))
                .list();
    }

    /**
     * Makes a finished delivery due now, with a fresh retry schedule: back to PENDING, and back in the queue. While
     * it is pending, its day's partitions are kept (HistoryPartitions).
     *
     * @return whether it was finished and is now due
     */
    boolean retry(UUID clientId, UUID deliveryId) {
        return jdbc.sql("""
                        WITH retried AS (
                            UPDATE deliveries
                            SET status = 'PENDING', next_attempt_at = now(), schedule_failures = 0, finished_at = NULL
                            WHERE id = ? AND client_id = ? AND status <> 'PENDING'
                            RETURNING id, created_at, client_id, event_id, event_created_at, attempt_count
                        )
                        INSERT INTO delivery_queue
                            (id, created_at, client_id, event_id, event_created_at, next_attempt_at, attempt_count)
                        SELECT id, created_at, client_id, event_id, event_created_at, now(), attempt_count FROM retried""").params(deliveryId, clientId).update() == 1;
    }

    /**
     * Statements after this one, in the current transaction, run on generic plans: planned once per connection
     * and pruned to their partitions when they start, rather than planned for their parameters on every call. A
     * read of the log spans every daily partition of three tables; planned per call (PostgreSQL's first five
     * executions of a statement on each connection, and every one pgjdbc had not yet prepared) it cost 7.8 ms for
     * 1.0 ms of work at 38 partitions (pgbench, {@code plan_cache_mode} custom against generic). The log's plans
     * do not depend on the values once the page size is in the text ({@link #listSql}): an index per partition,
     * in time order, under the page's LIMIT, and one probe per row of the page.
     */
    void preferGenericPlans() {
        jdbc.sql("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
                .query(String.class)
                .single();
    }

    /** Statements after this one, in the current transaction, are cancelled after {@code seconds}. */
    void limitStatementsTo(int seconds) {
        jdbc.sql("SELECT set_config('statement_timeout', ?, true)")
                .param(seconds + "s")
                .query(String.class)
                .single();
    }

    /**
     * Hour by hour from {@code from} to {@code to}: deliveries by the hour created (index on the client and time),
     * attempts by the hour made, of the client's deliveries created up to 48 hours before {@code from} (a retry
     * schedule is about a day), so only a few days' partitions are read.
     */
    List<DeliveryView.Hour> hourly(UUID clientId, OffsetDateTime from, OffsetDateTime to) {
        return jdbc.sql("""
                        WITH hours AS (
                            SELECT generate_series(:from, :to - interval '1 hour', interval '1 hour') AS hour
                        ), made AS (
                            SELECT date_trunc('hour', d.created_at, 'UTC') AS hour,
                                   count(*) FILTER (WHERE d.status = 'SUCCEEDED') AS succeeded,
                                   count(*) FILTER (WHERE d.status = 'FAILED') AS failed,
                                   count(*) FILTER (WHERE d.status = 'PENDING') AS pending,
                                   count(*) FILTER (WHERE d.status = 'CANCELLED') AS cancelled
                            FROM deliveries d
                            WHERE d.client_id = :client AND d.created_at >= :from AND d.created_at < :to
                            GROUP BY 1
                        ), tried AS (
                            SELECT date_trunc('hour', a.attempted_at, 'UTC') AS hour, count(*) AS attempts,
                                   percentile_disc(0.5) WITHIN GROUP (ORDER BY a.duration_ms)::bigint AS p50,
                                   percentile_disc(0.95) WITHIN GROUP (ORDER BY a.duration_ms)::bigint AS p95
                            FROM deliveries d
                            JOIN delivery_attempts a ON a.delivery_id = d.id AND a.delivery_created_at = d.created_at
                            WHERE d.client_id = :client AND d.created_at >= :from - interval '48 hours'
                              AND d.created_at < :to
                              AND a.delivery_created_at >= :from - interval '48 hours' AND a.delivery_created_at < :to
                              AND a.attempted_at >= :from AND a.attempted_at < :to
                            GROUP BY 1
                        )
                        SELECT h.hour, coalesce(m.succeeded, 0) AS succeeded, coalesce(m.failed, 0) AS failed,
                               coalesce(m.pending, 0) AS pending, coalesce(m.cancelled, 0) AS cancelled,
                               coalesce(t.attempts, 0) AS attempts, t.p50, t.p95
                        FROM hours h
                        LEFT JOIN made m ON m.hour = h.hour
                        LEFT JOIN tried t ON t.hour = h.hour
                        ORDER BY h.hour""")
                .param("client", clientId)
                .param("from", from)
                .param("to", to)
                .query((rs, row) -> new DeliveryView.Hour(
                        rs.getObject("hour", OffsetDateTime.class),
                        rs.getLong("succeeded"),
                        rs.getLong("failed"),
                        rs.getLong("pending"),
                        rs.getLong("cancelled"),
                        rs.getLong("attempts"),
                        rs.getObject("p50", Long.class),
                        rs.getObject("p95", Long.class)))
                .list();
    }

    private static DeliveryView.Item item(ResultSet rs, int row) throws SQLException {
        return new DeliveryView.Item(
                rs.getObject("id", UUID.class),
                rs.getString("event_key"),
                rs.getString("document_id"),
                DeliveryStatus.valueOf(rs.getString("status")),
                rs.getInt("attempt_count"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("last_attempt_at", OffsetDateTime.class),
                rs.getObject("next_attempt_at", OffsetDateTime.class),
                (Integer) rs.getObject("last_status_code"),
                rs.getString("last_error"));
    }
}
