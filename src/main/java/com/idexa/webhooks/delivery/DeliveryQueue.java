package com.idexa.webhooks.delivery;

import com.idexa.webhooks.config.IndexPlans;
import com.idexa.webhooks.config.WebhooksProperties;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The dispatcher's side of the queue ({@code delivery_queue}) and of the deliveries' history. Each method is one short
 * statement (in a transaction of its own with its planner settings: PLANS_BY_INDEX): claims never hold a transaction
 * across an HTTP call, and every outcome is written under the lease token it was claimed with.
 */
@Repository
class DeliveryQueue {

    /**
     * Claims due deliveries in one statement, from {@code delivery_queue} (one row per pending delivery). It walks
     * the clients that have rows in the queue (found by skipping through the index {@code (client_id,
     * next_attempt_at)}, one descent a client, so clients with nothing queued cost nothing: walking all registered
     * clients cost 5 µs each, 5 ms a claim at 1,000 clients) and have room: for each, the same index yields at
     * most its room of due rows, so a full client is never scanned and one client's backlog costs nothing to the
     * others' claims.
     * The oldest {@code :limit} of those are then locked {@code SKIP LOCKED}, re-checking that they are still due
     * (another instance may have claimed them since), so instances never wait for or take each other's rows and
     * no row is locked that is not taken. Claiming leases the row ({@code lease_token}, {@code leased_until}): a
     * row whose worker dies falls due again when its lease runs out (a lease a release before V9 took, with no
     * {@code leased_until}, ends at {@code next_attempt_at}, as it did then). The lease is outside the due index
     * (V9), so the claim and the heartbeat's renewals update the row on its page; the walk steps over the leased
     * rows that sit before a client's due ones in the index: what is in flight for it on every instance, plus dead
     * instances' leases until they run out (about 2.5 µs a row: 1 ms for a client with 400 in flight). Each row comes with the id of the client's webhook at claim time (null when it
     * has none) and the database's time of the claim. A row claimed {@link #MAX_UNRECORDED_CLAIMS} times without
     * any outcome recorded is returned FAILED, and {@link #GIVE_UP} ends it under this claim's lease. The history
     * (partitioned) is not touched here: planning a statement over every partition of a table costs more than
     * the claim itself.
     */
    private static final String CLAIM = """
            WITH RECURSIVE room AS (
                SELECT * FROM unnest(:busyClients, :busyRoom) AS r(client_id, room)
            ), /*queued*/, open_clients AS MATERIALIZED ( -- once a client, not once a due row (the planner's choice unless materialized)
                SELECT c.id, coalesce(room.room, :perClient) AS room
                FROM queued c
                LEFT JOIN room ON room.client_id = c.id
                WHERE c.id IS NOT NULL AND coalesce(room.room, :perClient) > 0
                  AND NOT EXISTS ( -- a disabled endpoint's deliveries are held: see V7
                      SELECT 1 FROM endpoint_health h WHERE h.client_id = c.id AND h.state = 'DISABLED')
            ), due AS (
                SELECT q.id, q.next_attempt_at
                FROM open_clients c
                CROSS JOIN LATERAL (
                    SELECT q.id, q.next_attempt_at FROM delivery_queue q
                    WHERE q.client_id = c.id AND q.next_attempt_at <= now()
                      AND (q.lease_token IS NULL OR coalesce(q.leased_until, q.next_attempt_at) <= now())
                    ORDER BY q.next_attempt_at
                    LIMIT c.room
                ) q
                ORDER BY q.next_attempt_at
                LIMIT :limit
            ), locked AS ( -- each row by its id (see PLANS_BY_INDEX), never a scan of the queue matched against due
                SELECT l.id FROM due
                CROSS JOIN LATERAL (
                    SELECT q.id FROM delivery_queue q
                    WHERE q.id = due.id
                      -- still due, re-checked on the row as locked; one expression that no index can serve, so the
                      -- row is reached by its id only (a plan that went through the due index instead, made while
                      -- next to nothing was due, read every due row per claimed row: 123 s beside a million)
                      AND (q.next_attempt_at <= now()
                           AND (q.lease_token IS NULL OR coalesce(q.leased_until, q.next_attempt_at) <= now())) IS TRUE
                    FOR UPDATE SKIP LOCKED
                ) l
            ), claimed AS (
                UPDATE delivery_queue q
                SET leased_until = now() + CAST(:leaseMillis AS bigint) * interval '1 millisecond',
                    lease_token = :leaseToken,
                    unrecorded_claims = q.unrecorded_claims + 1
                WHERE q.id = ANY (ARRAY(SELECT id FROM locked))
                RETURNING q.id, q.created_at, q.event_id, q.event_created_at, q.client_id, q.attempt_count,
                          q.schedule_failures,
                          CASE WHEN q.unrecorded_claims > :maxUnrecorded THEN 'FAILED' ELSE 'PENDING' END AS status
            )
            SELECT x.id, x.event_id, e.event_key, x.client_id, e.document_id, e.document::text AS document,
                   x.attempt_count, x.schedule_failures, e.created_at AS event_created_at, w.id AS webhook_id,
                   w.revision AS webhook_revision, x.status, now() AS claimed_at
            FROM claimed x
            CROSS JOIN LATERAL ( -- one index probe in the event's own partition (LIMIT keeps it a probe)
                SELECT * FROM events e WHERE e.id = x.event_id AND e.created_at = x.event_created_at LIMIT 1
            ) e
            LEFT JOIN webhooks w ON w.client_id = e.client_id AND w.type = e.type
            """;

    /** The clients a claim looks at: every client with rows in the queue. */
    private static final String EVERY_QUEUED_CLIENT = """
            queued(id) AS ( -- the clients with rows in the queue, one index descent each (a skip scan), each
                -- landing on the client's latest row: its earliest are the ones just delivered, dead until vacuumed
                (SELECT client_id FROM delivery_queue ORDER BY client_id DESC, next_attempt_at DESC LIMIT 1)
                UNION ALL
                SELECT (SELECT q.client_id FROM delivery_queue q
                        WHERE q.client_id < queued.id ORDER BY q.client_id DESC, q.next_attempt_at DESC LIMIT 1)
                FROM queued WHERE queued.id IS NOT NULL
            )""";

    /** The clients a claim looks at: those given (the ones with news), whatever else is queued. */
    private static final String THESE_CLIENTS = """
            queued(id) AS (SELECT c FROM unnest(CAST(:clients AS uuid[])) AS c)""";

    private static final String CLAIM_EVERY_CLIENT = CLAIM.replace("/*queued*/", EVERY_QUEUED_CLIENT);
    private static final String CLAIM_THESE_CLIENTS = CLAIM.replace("/*queued*/", THESE_CLIENTS);

    /**
     * Ends deliveries a claim gave up on: out of the queue and FAILED, with the reason, under the lease of that
     * claim. If it never runs (the instance dies first), the lease runs out and the next claim gives up again.
     */
    private static final String GIVE_UP = """
            WITH dequeued AS (
                DELETE FROM delivery_queue
                WHERE id = ANY (:ids) AND (id, lease_token) IN (SELECT * FROM unnest(:ids, :tokens))
                RETURNING id, created_at
            )
            UPDATE deliveries d
            SET status = 'FAILED', next_attempt_at = NULL, last_error = :gaveUp, finished_at = now()
            FROM dequeued q
            WHERE d.id = ANY (ARRAY(SELECT id FROM dequeued)) -- by id: see PLANS_BY_INDEX
              AND d.id = q.id AND d.created_at = q.created_at
            """;

    /**
     * Records a batch of outcomes in one statement: each delivery is changed only under the lease it was claimed
     * with (a lost lease changes nothing), and every attempt is logged either way, in the partition of its
     * delivery's creation time (an intake delivery has its event's {@code created_at}). A delivery that stays
     * PENDING keeps its queue row with the next attempt's time; a finished one leaves the queue.
     *
     * <p>ENDPOINT_HEALTH: the same statement keeps each endpoint's health ({@code endpoint_health}, V7): last
     * success and failure, failures since the last success and when they began; and disables an ACTIVE endpoint
     * that answered 410 Gone, or has had no success for {@code webhooks.endpoint.disable-after} with at least
     * {@code disable-min-failures} failed attempts. It returns the owned delivery ids (client_id null) and, with
     * their client id and reason, the webhooks it disabled.
     */
    /*
     * LOCK_IN_ID_ORDER: the heartbeat's renewal, the recorder's outcomes and the release at shutdown each update
     * many held rows of the queue at once, on their own connections and each in its own order of the rows. Each
     * first locks its rows in id order (a locking CTE with ORDER BY id, or one row at a time by its id over the ids in
     * order), so two of them never wait on each other in
     * a circle (PostgreSQL would abort one as a deadlock). LockOrderTest.
     */
    private static final String RECORD_ATTEMPTS = """
            WITH input AS (
                SELECT * FROM unnest(:ids, :tokens, :createdAt, :statuses, :failures, :delays, :attemptedAt, :codes,
                                     :errors, :durations, :methods, :urls, :bodies, :webhooks, :health)
                    AS i (id, lease_token, created_at, status, schedule_failures, delay_ms, attempted_at,
                          status_code, error, duration_ms, method, url, response_body, webhook_id, health)
            ), locked AS ( -- each row by its id, in id order (LOCK_IN_ID_ORDER; PLANS_BY_INDEX)
                SELECT q.id, q.created_at, i.status, i.schedule_failures, i.delay_ms, i.attempted_at, i.status_code,
                       i.error
                FROM (SELECT * FROM input ORDER BY id) i
                CROSS JOIN LATERAL (
                    SELECT q.id, q.created_at FROM delivery_queue q
                    WHERE q.id = i.id AND q.lease_token = i.lease_token
                    FOR UPDATE
                ) q
            ), requeued AS (
                UPDATE delivery_queue q
                SET attempt_count = q.attempt_count + 1,
                    schedule_failures = l.schedule_failures,
                    next_attempt_at = now() + l.delay_ms * interval '1 millisecond',
                    lease_token = NULL,
                    leased_until = NULL,
                    unrecorded_claims = 0
                FROM locked l
                WHERE q.id = ANY (ARRAY(SELECT id FROM locked WHERE status = 'PENDING'))
                  AND q.id = l.id AND l.status = 'PENDING'
                RETURNING l.*, q.next_attempt_at
            ), dequeued AS (
                DELETE FROM delivery_queue q
                USING locked l
                WHERE q.id = ANY (ARRAY(SELECT id FROM locked WHERE status <> 'PENDING'))
                  AND q.id = l.id AND l.status <> 'PENDING'
                RETURNING l.*, CAST(NULL AS timestamptz) AS next_attempt_at
            ), owned AS (
                SELECT * FROM requeued UNION ALL SELECT * FROM dequeued
            ), updated AS (
                -- every column it needs travels with the owned rows: no join between CTEs, whose sizes the
                -- planner cannot know (a nested loop of two of them is quadratic in the batch)
                UPDATE deliveries d
                SET status = o.status,
                    attempt_count = d.attempt_count + 1,
                    schedule_failures = o.schedule_failures,
                    next_attempt_at = o.next_attempt_at,
                    last_attempt_at = o.attempted_at,
                    last_status_code = o.status_code,
                    last_error = o.error,
                    finished_at = CASE WHEN o.status = 'PENDING' THEN NULL ELSE now() END
                FROM owned o
                WHERE d.id = ANY (ARRAY(SELECT id FROM owned)) -- by id, in every partition: see PLANS_BY_INDEX
                  AND d.id = o.id AND d.created_at = o.created_at
            ), logged AS (
                INSERT INTO delivery_attempts (delivery_id, delivery_created_at, attempted_at, duration_ms, method,
                                               url, status_code, error, response_body)
                SELECT i.id, i.created_at, i.attempted_at, i.duration_ms, i.method, i.url, i.status_code, i.error,
                       i.response_body
                FROM input i -- a delivery's created_at is its event's, as the claim gave it: its partition
            ), judged AS ( -- ENDPOINT_HEALTH: the attempts that say something about the endpoint
                SELECT i.webhook_id, i.health, i.attempted_at,
                       max(i.attempted_at) FILTER (WHERE i.health = 'S') OVER (PARTITION BY i.webhook_id)
                           AS batch_success_at
                FROM input i
                WHERE i.webhook_id IS NOT NULL AND i.health IS NOT NULL
            ), batch_health AS (
                SELECT webhook_id,
                       max(batch_success_at) AS success_at,
                       max(attempted_at) FILTER (WHERE health <> 'S') AS failure_at,
                       count(*) FILTER (WHERE health <> 'S' AND attempted_at > coalesce(batch_success_at, '-infinity'))
                           AS failures,
                       min(attempted_at) FILTER (WHERE health <> 'S' AND attempted_at > coalesce(batch_success_at,
                           '-infinity')) AS failing_since,
                       coalesce(bool_or(health = 'G' AND attempted_at > coalesce(batch_success_at, '-infinity')), false)
                           AS gone
                FROM judged GROUP BY webhook_id
            ), health_locked AS (
                SELECT h.webhook_id, h.state,
                       greatest(h.last_success_at, b.success_at) AS last_success_at,
                       greatest(h.last_failure_at, b.failure_at) AS last_failure_at,
                       CASE WHEN b.success_at IS NULL THEN h.consecutive_failures + b.failures ELSE b.failures END
                           AS consecutive_failures,
                       CASE WHEN b.success_at IS NULL THEN coalesce(h.failing_since, b.failing_since)
                            ELSE b.failing_since END AS failing_since,
                       b.gone
                FROM endpoint_health h JOIN batch_health b ON b.webhook_id = h.webhook_id
                WHERE h.webhook_id = ANY (:webhooks)
                ORDER BY h.webhook_id FOR UPDATE OF h -- in one order everywhere: see LOCK_IN_ID_ORDER
            ), health_judged AS (
                SELECT l.*, l.state = 'ACTIVE' AND (l.gone OR (l.consecutive_failures >= :disableMinFailures
                           AND l.failing_since <= now() - CAST(:disableAfterMillis AS bigint) * interval '1 millisecond'))
                           AS disable
                FROM health_locked l
            ), health AS (
                UPDATE endpoint_health h
                SET last_success_at = j.last_success_at,
                    last_failure_at = j.last_failure_at,
                    consecutive_failures = j.consecutive_failures,
                    failing_since = j.failing_since,
                    state = CASE WHEN j.disable THEN 'DISABLED' ELSE h.state END,
                    disabled_at = CASE WHEN j.disable THEN now() ELSE h.disabled_at END,
                    reason = CASE
                        WHEN NOT j.disable THEN h.reason
                        WHEN j.gone THEN 'the endpoint answered 410 Gone'
                        ELSE 'no successful attempt since '
                            || to_char(j.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' ('
                            || j.consecutive_failures || ' attempts failed)'
                    END
                FROM health_judged j
                WHERE h.webhook_id = j.webhook_id
                RETURNING h.webhook_id, h.client_id, j.disable, h.reason, h.disabled_at
            )
            SELECT id, CAST(NULL AS uuid) AS client_id, CAST(NULL AS text) AS reason,
                   CAST(NULL AS timestamptz) AS disabled_at
            FROM owned
            UNION ALL
            SELECT webhook_id, client_id, reason, disabled_at FROM health WHERE disable
            """;

    /** How deep the queue is: every unfinished delivery, those due now, and how long the oldest due one has waited. */
    record Depth(long pending, long due, long oldestDueSeconds) {}

    /** Claims in a row without a recorded outcome after which a delivery is FAILED rather than claimed again. */
    static final int MAX_UNRECORDED_CLAIMS = 5;

    static final String GAVE_UP = "gave up: claimed " + MAX_UNRECORDED_CLAIMS
            + " times without any attempt being recorded (the service failed while attempting it)";

    private static final Logger log = LoggerFactory.getLogger(DeliveryQueue.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final WebhooksProperties.Endpoint endpointRule;

    /** On the dispatcher's own connections ({@link DispatcherDatabase}). */
    @Autowired
    DeliveryQueue(DispatcherDatabase database, WebhooksProperties properties) {
        this(
                JdbcClient.create(database.dataSource()),
                new DataSourceTransactionManager(database.dataSource()),
                properties.endpoint());
    }

    /** With the default endpoint rule (tests that drive the statements alone). */
    DeliveryQueue(DataSource database) {
        this(
                JdbcClient.create(database),
                new DataSourceTransactionManager(database),
                WebhooksProperties.Endpoint.DEFAULTS);
    }

    /** Also for stand-ins of the database in tests, which override the statements they use. */
    DeliveryQueue(JdbcClient jdbc, PlatformTransactionManager transactions, WebhooksProperties.Endpoint endpointRule) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactions);
        this.endpointRule = endpointRule;
    }

    /**
     * PLANS_BY_INDEX: runs statements on the queue planned as if PostgreSQL knew nothing of its size: sequential and
     * bitmap scans off, in a transaction of their own ({@code SET LOCAL}). Each then reaches the queue only through
     * its indexes: by id, or by client in due order (and from client to client, one descent each), stopping at its
     * LIMIT. A connection keeps a statement's generic plan, made with the statistics of its time; one made while the
     * queue was empty chose to scan it (for a table of no pages that costs nothing), and went on scanning a queue
     * that a burst or a recovered backlog had grown to a million rows until autovacuum analyzed it again, up to a
     * minute later: claims of 47 to 100 s in the benchmark, holding their rows' locks meanwhile. Plans do not depend
     * on the settings of other statements: these are always planned with them. ClaimPlansTest.
     *
     * <p>The plans are generic from the first call ({@code plan_cache_mode}): with only index paths left, the
     * parameters' values choose nothing, and PostgreSQL's own choice kept planning the claim for its values on
     * every call (1.2 ms of planning a claim in the benchmark's throughput scenario, pg_stat_statements).
     */
    private void byIndex(Runnable statements) {
        byIndex(() -> {
            statements.run();
            return null;
        });
    }

    /** @see #byIndex(Runnable) */
    private <T> T byIndex(Supplier<T> statements) {
        return transactions.execute(transaction -> {
            IndexPlans.forThisTransaction(jdbc);
            return statements.get();
        });
    }

    /**
     * @param roomByClient for clients with attempts in flight here, how many more they may have; clients absent
     *     from the map may have {@code perClient}
     */
    List<ClaimedDelivery> claim(
            int limit, int perClient, Map<UUID, Integer> roomByClient, Duration lease, UUID leaseToken) {
        return claim(limit, perClient, roomByClient, lease, leaseToken, null);
    }

    /**
     * @param onlyClients the clients to claim for (the ones with news), however many others have rows queued; null
     *     for every client: a claim then walks them all, about 15 µs a client with rows queued
     */
    List<ClaimedDelivery> claim(
            int limit,
            int perClient,
            Map<UUID, Integer> roomByClient,
            Duration lease,
            UUID leaseToken,
            Set<UUID> onlyClients) {
        List<UUID> busy = List.copyOf(roomByClient.keySet());
        JdbcClient.StatementSpec statement = onlyClients == null
                ? jdbc.sql(CLAIM_EVERY_CLIENT)
                : jdbc.sql(CLAIM_THESE_CLIENTS).param("clients", new SqlArrayValue("uuid", onlyClients.toArray()));
        List<ClaimedDelivery> claimed = byIndex(() -> statement
                .param("busyClients", new SqlArrayValue("uuid", busy.toArray()))
                .param(
                        "busyRoom",
                        new SqlArrayValue(
                                "int4", busy.stream().map(roomByClient::get).toArray()))
                .param("perClient", perClient)
                .param("limit", limit)
                .param("leaseMillis", lease.toMillis())
                .param("leaseToken", leaseToken)
                .param("maxUnrecorded", MAX_UNRECORDED_CLAIMS)
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
                        rs.getInt("webhook_revision"),
                        rs.getObject("claimed_at", OffsetDateTime.class),
                        System.nanoTime(),
                        DeliveryStatus.valueOf(rs.getString("status"))))
                .list());
        List<ClaimedDelivery> gaveUp = claimed.stream()
                .filter(delivery -> delivery.status() == DeliveryStatus.FAILED)
                .toList();
        if (gaveUp.isEmpty()) {
            return claimed;
        }
        try {
            byIndex(() -> jdbc.sql(GIVE_UP)
                    .param(
                            "ids",
                            new SqlArrayValue(
                                    "uuid",
                                    gaveUp.stream().map(ClaimedDelivery::id).toArray()))
                    .param(
                            "tokens",
                            new SqlArrayValue(
                                    "uuid", gaveUp.stream().map(d -> leaseToken).toArray()))
                    .param("gaveUp", GAVE_UP)
                    .update());
            return claimed;
        } catch (RuntimeException e) {
            // The others are held under this claim and must be attempted; the ones to give up keep this claim's
            // lease and are given up by a claim after it runs out.
            log.warn(
                    "Could not end {} deliveries claimed too often ({}); trying again when their leases run out",
                    gaveUp.size(),
                    e.getClass().getSimpleName());
            return claimed.stream()
                    .filter(delivery -> delivery.status() == DeliveryStatus.PENDING)
                    .toList();
        }
    }

    /**
     * What recording a batch did.
     *
     * @param leaseLost the deliveries whose lease was lost (another worker owns them now); their attempts are logged
     *     all the same
     * @param disabled the endpoints this batch disabled
     */
    record Recorded(List<UUID> leaseLost, List<EndpointStateChanged> disabled) {}

    /** @see #RECORD_ATTEMPTS */
    Recorded recordAttempts(List<Outcome> outcomes) {
        Set<UUID> owned = new HashSet<>();
        List<EndpointStateChanged> disabled = new ArrayList<>();
        byIndex(() -> jdbc.sql(RECORD_ATTEMPTS)
                .param("ids", column("uuid", outcomes, o -> o.delivery().id()))
                .param("tokens", column("uuid", outcomes, o -> o.delivery().leaseToken()))
                .param(
                        "createdAt",
                        column("timestamptz", outcomes, o -> o.delivery().eventCreatedAt()))
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
                .param("webhooks", column("uuid", outcomes, o -> o.delivery().webhookId()))
                .param("health", column("text", outcomes, DeliveryQueue::health))
                .param("disableMinFailures", endpointRule.disableMinFailures())
                .param("disableAfterMillis", endpointRule.disableAfter().toMillis())
                .query(rs -> {
                    UUID id = rs.getObject("id", UUID.class);
                    UUID client = rs.getObject("client_id", UUID.class);
                    if (client == null) {
                        owned.add(id);
                    } else {
                        disabled.add(new EndpointStateChanged(
                                client,
                                id,
                                EndpointState.DISABLED,
                                rs.getString("reason"),
                                rs.getObject("disabled_at", OffsetDateTime.class)));
                    }
                }));
        List<UUID> leaseLost = outcomes.stream()
                .map(o -> o.delivery().id())
                .filter(id -> !owned.contains(id))
                .toList();
        return new Recorded(leaseLost, disabled);
    }

    /**
     * What an attempt says about its endpoint (ENDPOINT_HEALTH): S a success, G 410 Gone, F any other failure (no
     * answer, a refused token fetch or address included); null when it says nothing (aborted by this service, or
     * our own error).
     */
    private static String health(Outcome outcome) {
        AttemptRecord attempt = outcome.attempt();
        if (attempt.interrupted() || AttemptRecord.INTERNAL_ERROR.equals(attempt.metricTag())) {
            return null;
        }
        if (attempt.succeeded()) {
            return "S";
        }
        return Integer.valueOf(410).equals(attempt.statusCode()) ? "G" : "F";
    }

    /** One column of a batch as a typed SQL array: a whole batch travels in one parameter. */
    private static SqlArrayValue column(String type, List<Outcome> outcomes, Function<Outcome, ?> value) {
        return new SqlArrayValue(type, outcomes.stream().map(value).toArray());
    }

    /** No webhook at attempt time: the delivery ends without an HTTP attempt. */
    boolean cancel(ClaimedDelivery delivery, String reason) {
        return byIndex(() -> jdbc.sql("""
                        WITH dequeued AS (
                            DELETE FROM delivery_queue WHERE id = ? AND lease_token = ? RETURNING id, created_at
                        )
                        UPDATE deliveries d
                        SET status = 'CANCELLED', next_attempt_at = NULL, last_error = ?, finished_at = now()
                        FROM dequeued q WHERE d.id = ? AND d.id = q.id AND d.created_at = q.created_at""")
                        .params(delivery.id(), delivery.leaseToken(), reason, delivery.id())
                        .update())
                == 1;
    }

    /**
     * Gives claimed deliveries whose attempt never started back at once, due now, as if they had not been claimed
     * (shutdown): they keep their place in line. Never call it for a delivery whose attempt may still be running.
     */
    int release(Collection<ClaimedDelivery> deliveries) {
        if (deliveries.isEmpty()) {
            return 0;
        }
        return byIndex(() -> jdbc.sql("""
                        WITH locked AS (
                            SELECT id FROM delivery_queue
                            WHERE id = ANY (:ids) AND (id, lease_token) IN (SELECT * FROM unnest(:ids, :tokens))
                            ORDER BY id FOR UPDATE
                        )
                        UPDATE delivery_queue q SET lease_token = NULL, leased_until = NULL,
                            unrecorded_claims = greatest(q.unrecorded_claims - 1, 0)
                        WHERE q.id = ANY (ARRAY(SELECT id FROM locked))""")
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
                .update());
    }

    /** The delivery settings of every client that has any (a partial index holds just those). */
    Map<UUID, ClientThrottles.Settings> deliverySettings() {
        Map<UUID, ClientThrottles.Settings> settings = new HashMap<>();
        jdbc.sql("""
                        SELECT client_id, max_per_second, max_in_flight FROM endpoint_health
                        WHERE max_per_second IS NOT NULL OR max_in_flight IS NOT NULL""").query(rs -> {
            settings.put(
                    rs.getObject("client_id", UUID.class),
                    new ClientThrottles.Settings(
                            (Integer) rs.getObject("max_per_second"), (Integer) rs.getObject("max_in_flight")));
        });
        return settings;
    }

    Depth depth() {
        return jdbc.sql("""
                        SELECT count(*) AS pending,
                               count(*) FILTER (WHERE due) AS due,
                               coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE due)), 0)::bigint
                                   AS oldest
                        FROM delivery_queue q
                        LEFT JOIN endpoint_health h ON h.client_id = q.client_id AND h.state = 'DISABLED'
                        CROSS JOIN LATERAL (
                            SELECT q.next_attempt_at <= now() AND (q.lease_token IS NULL OR coalesce(q.leased_until, q.next_attempt_at) <= now())
                                   AND h.client_id IS NULL AS due
                        ) d""")
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
        return Set.copyOf(byIndex(() -> jdbc.sql("""
                        WITH locked AS (
                            SELECT id FROM delivery_queue
                            WHERE id = ANY (:ids) AND (id, lease_token) IN (SELECT * FROM unnest(:ids, :tokens))
                            ORDER BY id FOR UPDATE
                        )
                        UPDATE delivery_queue q
                        SET leased_until = now() + CAST(:leaseMillis AS bigint) * interval '1 millisecond'
                        WHERE q.id = ANY (ARRAY(SELECT id FROM locked))
                        RETURNING q.id""")
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
                .list()));
    }
}
