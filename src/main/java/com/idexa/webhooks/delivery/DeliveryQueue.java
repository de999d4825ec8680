package com.idexa.webhooks.delivery;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Repository;

/**
 * The dispatcher's side of the deliveries table. Each method is one short statement: claims never hold a
 * transaction across an HTTP call, and every outcome is written under the lease token it was claimed with.
 */
@Repository
class DeliveryQueue {

    /**
     * Claims due deliveries in one statement. The inner scan locks due rows with {@code SKIP LOCKED}, so
     * instances never wait for or take each other's rows; the window function keeps each client within its
     * room, and clients with no room left are not scanned at all, so one client's backlog cannot crowd out the
     * rest. Claiming moves {@code next_attempt_at} forward by the lease: a row whose worker dies falls due again.
     * Each row comes with the id of the client's webhook at claim time (null when it has none) and the database's
     * time of the claim. A row claimed {@link #MAX_UNRECORDED_CLAIMS} times without any outcome recorded is
     * FAILED by the claim instead, with the reason, and returned with that status.
     */
    private static final String CLAIM = """
            WITH room AS (
                SELECT * FROM unnest(:busyClients, :busyRoom) AS r(client_id, room)
            ), due AS (
                SELECT d.id, d.client_id, d.next_attempt_at
                FROM deliveries d
                WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
                  AND d.client_id <> ALL (:fullClients)
                ORDER BY d.next_attempt_at
                LIMIT :scan
                FOR UPDATE SKIP LOCKED
            ), ranked AS (
                SELECT due.id, due.next_attempt_at,
                       row_number() OVER (PARTITION BY due.client_id ORDER BY due.next_attempt_at, due.id) AS rn,
                       coalesce(room.room, :perClient) AS room
                FROM due LEFT JOIN room ON room.client_id = due.client_id
            ), picked AS (
                SELECT id FROM ranked WHERE rn <= room ORDER BY next_attempt_at, id LIMIT :limit
            )
            UPDATE deliveries d
            SET next_attempt_at = CASE WHEN d.unrecorded_claims >= :maxUnrecorded THEN NULL
                                       ELSE now() + CAST(:leaseMillis AS bigint) * interval '1 millisecond' END,
                lease_token = CASE WHEN d.unrecorded_claims >= :maxUnrecorded THEN NULL ELSE :leaseToken END,
                unrecorded_claims = d.unrecorded_claims + 1,
                status = CASE WHEN d.unrecorded_claims >= :maxUnrecorded THEN 'FAILED' ELSE d.status END,
                last_error = CASE WHEN d.unrecorded_claims >= :maxUnrecorded THEN :gaveUp ELSE d.last_error END,
                finished_at = CASE WHEN d.unrecorded_claims >= :maxUnrecorded THEN now() ELSE d.finished_at END
            FROM picked, events e LEFT JOIN webhooks w ON w.client_id = e.client_id AND w.type = e.type
            WHERE d.id = picked.id AND e.id = d.event_id
            RETURNING d.id, d.event_id, e.event_key, d.client_id, d.document_id, e.document::text AS document,
                      d.attempt_count, d.schedule_failures, e.created_at AS event_created_at, w.id AS webhook_id,
                      d.status, now() AS claimed_at
            """;

    /**
     * Records a batch of outcomes in one statement: each delivery is updated only under the lease it was claimed
     * with (a lost lease changes nothing), and every attempt is logged either way.
     */
    private static final String RECORD_ATTEMPTS = """
            WITH input AS (
                SELECT * FROM unnest(:ids, :tokens, :statuses, :failures, :delays, :attemptedAt, :codes, :errors,
                                     :durations, :methods, :urls, :bodies)
                    AS i (id, lease_token, status, schedule_failures, delay_ms, attempted_at, status_code, error,
                          duration_ms, method, url, response_body)
            ), updated AS (
                UPDATE deliveries d
                SET status = i.status,
                    attempt_count = d.attempt_count + 1,
                    schedule_failures = i.schedule_failures,
                    next_attempt_at = CASE WHEN i.delay_ms IS NULL THEN NULL
                                           ELSE now() + i.delay_ms * interval '1 millisecond' END,
                    lease_token = NULL,
                    unrecorded_claims = 0,
                    last_attempt_at = i.attempted_at,
                    last_status_code = i.status_code,
                    last_error = i.error,
                    finished_at = CASE WHEN i.status = 'PENDING' THEN NULL ELSE now() END
                FROM input i
                WHERE d.id = i.id AND d.lease_token = i.lease_token
                RETURNING d.id
            ), logged AS (
                INSERT INTO delivery_attempts
                    (delivery_id, attempted_at, duration_ms, method, url, status_code, error, response_body)
                SELECT id, attempted_at, duration_ms, method, url, status_code, error, response_body FROM input
            )
            SELECT i.id FROM input i WHERE i.id NOT IN (SELECT id FROM updated)
            """;

    /** How deep the queue is: every unfinished delivery, those due now, and how long the oldest due one has waited. */
    record Depth(long pending, long due, long oldestDueSeconds) {}

    /** Claims in a row without a recorded outcome after which a delivery is FAILED rather than claimed again. */
    static final int MAX_UNRECORDED_CLAIMS = 5;

    static final String GAVE_UP = "gave up: claimed " + MAX_UNRECORDED_CLAIMS
            + " times without any attempt being recorded (the service failed while attempting it)";

    private final JdbcClient jdbc;

    DeliveryQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param roomByClient for clients with attempts in flight here, how many more they may have; clients absent
     *     from the map may have {@code perClient}
     */
    List<ClaimedDelivery> claim(
            int limit, int perClient, Map<UUID, Integer> roomByClient, Duration lease, UUID leaseToken) {
        List<UUID> full = roomByClient.entrySet().stream()
                .filter(entry -> entry.getValue() <= 0)
                .map(Map.Entry::getKey)
                .toList();
        List<UUID> busy = List.copyOf(roomByClient.keySet());
        return jdbc.sql(CLAIM)
                .param("busyClients", new SqlArrayValue("uuid", busy.toArray()))
                .param(
                        "busyRoom",
                        new SqlArrayValue(
                                "int4", busy.stream().map(roomByClient::get).toArray()))
                .param("fullClients", new SqlArrayValue("uuid", full.toArray()))
                .param("scan", Math.max(limit * 4, 100))
                .param("perClient", perClient)
                .param("limit", limit)
                .param("leaseMillis", lease.toMillis())
                .param("leaseToken", leaseToken)
                .param("maxUnrecorded", MAX_UNRECORDED_CLAIMS)
                .param("gaveUp", GAVE_UP)
                .query((rs, row) -> new ClaimedDelivery(
                        rs.getObject("id", UUID.class),
                        rs.getObject("event_id", UUID.class),
                        rs.getString("event_key"),
                        rs.getObject("client_id", UUID.class),
                        rs.getString("document_id"),
                        rs.getString("document"),
                        rs.getInt("attempt_count"),
                        rs.getInt("schedule_failures"),
                        leaseToken,
                        rs.getObject("event_created_at", OffsetDateTime.class),
                        rs.getObject("webhook_id", UUID.class),
                        rs.getObject("claimed_at", OffsetDateTime.class),
                        System.nanoTime(),
                        DeliveryStatus.valueOf(rs.getString("status"))))
                .list();
    }

    /** @return the deliveries whose lease was lost (another worker owns them now); their attempts are logged all the same */
    List<UUID> recordAttempts(List<Outcome> outcomes) {
        return jdbc.sql(RECORD_ATTEMPTS)
                .param("ids", column("uuid", outcomes, o -> o.delivery().id()))
                .param("tokens", column("uuid", outcomes, o -> o.delivery().leaseToken()))
                .param(
                        "statuses",
                        column("text", outcomes, o -> o.decision().status().name()))
                .param("failures", column("int4", outcomes, o -> o.decision().scheduleFailures()))
                .param(
                        "delays",
                        column(
                                "int8",
                                outcomes,
                                o -> o.decision().retryIn() == null
                                        ? null
                                        : o.decision().retryIn().toMillis()))
                .param(
                        "attemptedAt",
                        column("timestamptz", outcomes, o -> o.attempt().attemptedAt()))
                .param("codes", column("int4", outcomes, o -> o.attempt().statusCode()))
                .param("errors", column("text", outcomes, o -> o.attempt().error()))
                .param(
                        "durations",
                        column(
                                "int4",
                                outcomes,
                                o -> Math.min(Integer.MAX_VALUE, o.attempt().durationMillis())))
                .param("methods", column("text", outcomes, o -> o.attempt().method()))
                .param("urls", column("text", outcomes, o -> o.attempt().url()))
                .param("bodies", column("text", outcomes, o -> o.attempt().responseBody()))
                .query(UUID.class)
                .list();
    }

    /** One column of a batch as a typed SQL array: a whole batch travels in one parameter. */
    private static SqlArrayValue column(String type, List<Outcome> outcomes, Function<Outcome, ?> value) {
        return new SqlArrayValue(type, outcomes.stream().map(value).toArray());
    }

    /** No webhook at attempt time: the delivery ends without an HTTP attempt. */
    boolean cancel(ClaimedDelivery delivery, String reason) {
        return jdbc.sql("""
                        UPDATE deliveries
                        SET status = 'CANCELLED', next_attempt_at = NULL, lease_token = NULL, last_error = ?,
                            finished_at = now(), unrecorded_claims = 0
                        WHERE id = ? AND lease_token = ?""")
                        .params(reason, delivery.id(), delivery.leaseToken())
                        .update()
                == 1;
    }

    /**
     * Gives claimed deliveries whose attempt never started back at once, due now, as if they had not been claimed
     * (shutdown). Never call it for a delivery whose attempt may still be running.
     */
    int release(Collection<ClaimedDelivery> deliveries) {
        if (deliveries.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                        UPDATE deliveries SET next_attempt_at = now(), lease_token = NULL,
                            unrecorded_claims = greatest(unrecorded_claims - 1, 0)
                        WHERE status = 'PENDING' AND (id, lease_token) IN (
                            SELECT * FROM unnest(:ids, :tokens))""")
                .param(
                        "ids",
                        new SqlArrayValue(
                                "uuid",
                                deliveries.stream().map(ClaimedDelivery::id).toArray()))
                .param(
                        "tokens",
                        new SqlArrayValue(
                                "uuid",
                                deliveries.stream()
                                        .map(ClaimedDelivery::leaseToken)
                                        .toArray()))
                .update();
    }

    Depth depth() {
        return jdbc.sql("""
                        SELECT count(*) AS pending,
                               count(*) FILTER (WHERE next_attempt_at <= now()) AS due,
                               coalesce(extract(epoch FROM now() - min(next_attempt_at)
                                   FILTER (WHERE next_attempt_at <= now())), 0)::bigint AS oldest
                        FROM deliveries WHERE status = 'PENDING'""")
                .query((rs, row) -> new Depth(rs.getLong("pending"), rs.getLong("due"), rs.getLong("oldest")))
                .single();
    }

    /**
     * Heartbeat: extends the leases of deliveries this instance still holds, in one statement. A delivery is
     * renewed only under the lease token it was claimed with.
     *
     * @return the ids renewed; a held delivery missing from it has lost its lease
     */
    Set<UUID> renewLeases(Collection<ClaimedDelivery> held, Duration lease) {
        if (held.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("""
                        UPDATE deliveries
                        SET next_attempt_at = now() + CAST(:leaseMillis AS bigint) * interval '1 millisecond'
                        WHERE status = 'PENDING' AND (id, lease_token) IN (SELECT * FROM unnest(:ids, :tokens))
                        RETURNING id""")
                .param("leaseMillis", lease.toMillis())
                .param(
                        "ids",
                        new SqlArrayValue(
                                "uuid", held.stream().map(ClaimedDelivery::id).toArray()))
                .param(
                        "tokens",
                        new SqlArrayValue(
                                "uuid",
                                held.stream().map(ClaimedDelivery::leaseToken).toArray()))
                .query(UUID.class)
                .list());
    }
}
