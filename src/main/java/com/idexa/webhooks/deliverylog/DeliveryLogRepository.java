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
            CASE WHEN d.status = 'PENDING' THEN coalesce(q.next_attempt_at, d.next_attempt_at) END AS next_attempt_at,
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
     * the client, or the client and document, in time order, merged), and only its rows are joined.
     */
    static String listSql(boolean byStatus, boolean byDocument, boolean afterCursor) {
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
        sql.append(" ORDER BY d.created_at DESC, d.id DESC LIMIT :limit) d ")
                .append(ITEM_JOINS)
                .append(" ORDER BY d.created_at DESC, d.id DESC");
        return sql.toString();
    }

    List<DeliveryView.Item> list(UUID clientId, DeliveryStatus status, String documentId, LogCursor after, int limit) {
        String sql = listSql(status != null, documentId != null, after != null);
        JdbcClient.StatementSpec statement =
                jdbc.sql(sql).param("client", clientId).param("limit", limit);
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
