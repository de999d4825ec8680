package com.idexa.webhooks.bench;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/**
 * Every statement the benchmark runs against the service's own tables, in one place: seeding millions of rows
 * with {@code generate_series} (one statement per batch, durable tables, no UNLOGGED), clearing what a scenario
 * leaves behind, and finding the partitions of a partitioned {@code deliveries}. When the schema in
 * {@code src/main/resources/db/migration} changes, this is the file to adapt; the columns named here are the
 * ones a delivery cannot do without, the rest take their defaults.
 *
 * <p>Seeded rows are created within the last hours (one millisecond apart), so they land in today's partition
 * when {@code deliveries} is partitioned by creation time. Their ids are UUIDs in ascending order (a run number,
 * then the row number), so the seeding appends to the primary keys instead of writing all over them: five
 * million random UUIDs would take the durable database several times longer to insert.
 */
final class Seeds {

    private static final long BATCH = 500_000;

    private final BenchPostgres postgres;
    private int runs = 0xbe00;

    Seeds(BenchPostgres postgres) {
        this.postgres = postgres;
    }

    /** {@code count} deliveries for one client, PENDING and due now, each with its event. */
    void dueDeliveries(UUID client, long count, String documentPrefix) throws SQLException {
        for (long from = 0; from < count; from += BATCH) {
            long began = System.nanoTime();
            postgres.update(
                    """
                    WITH e AS (
                        INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                        SELECT (?::text || '-0001-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, ?, ? || g, 0, ? || g,
                               json_build_object('id', ? || g, 'status', 1), now() - g * interval '1 millisecond'
                        FROM generate_series(?::bigint, ?::bigint) g
                        RETURNING id, client_id, document_id, created_at
                    ), d AS (
                        INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                                next_attempt_at, created_at)
                        SELECT overlay(e.id::text placing '0002' from 10 for 4)::uuid, e.id, e.created_at, e.client_id,
                               e.document_id, 'PENDING', e.created_at, e.created_at
                        FROM e
                        RETURNING id, created_at, client_id, event_id, event_created_at, next_attempt_at)
                    INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at, next_attempt_at)
                    SELECT id, created_at, client_id, event_id, event_created_at, next_attempt_at FROM d""",
                    runId(),
                    client,
                    documentPrefix,
                    documentPrefix,
                    documentPrefix,
                    from,
                    Math.min(count, from + BATCH) - 1);
            progress(documentPrefix, from, Math.min(count, from + BATCH), count, began);
        }
    }

    /**
     * {@code count} SUCCEEDED deliveries (with their events), spread evenly over {@code clients}, created
     * {@code ageMillis} ago and the milliseconds before. No attempt rows: the delivery log's list and filters do not
     * read them.
     */
    void finishedDeliveries(List<UUID> clients, long count, String documentPrefix, long ageMillis) throws SQLException {
        for (long from = 0; from < count; from += BATCH) {
            long began = System.nanoTime();
            postgres.update(
                    """
                    WITH e AS (
                        INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                        SELECT (?::text || '-0001-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
                               (?::uuid[])[1 + (g % ?)::int], ? || g, 0, ? || g,
                               json_build_object('id', ? || g, 'status', 1), now() - (? + g) * interval '1 millisecond'
                        FROM generate_series(?::bigint, ?::bigint) g
                        RETURNING id, client_id, document_id, created_at)
                    INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                            attempt_count, created_at, last_attempt_at, last_status_code, finished_at)
                    SELECT overlay(e.id::text placing '0002' from 10 for 4)::uuid, e.id, e.created_at, e.client_id,
                           e.document_id, 'SUCCEEDED', 1, e.created_at, e.created_at, 200, e.created_at
                    FROM e""",
                    runId(),
                    clients.toArray(UUID[]::new),
                    clients.size(),
                    documentPrefix,
                    documentPrefix,
                    documentPrefix,
                    ageMillis,
                    from,
                    Math.min(count, from + BATCH) - 1);
            progress(documentPrefix, from, Math.min(count, from + BATCH), count, began);
        }
    }

    private static void progress(String what, long from, long done, long count, long beganNanos) {
        System.out.printf(
                "  seeded %s: %,d of %,d (%.0f deliveries/s)%n",
                what, done, count, (done - from) / ((System.nanoTime() - beganNanos) / 1e9));
    }

    /** The first eight hex digits of the ids of one seeding statement. */
    private String runId() {
        return String.format("%08x", ++runs);
    }

    long deliveries() throws SQLException {
        return postgres.queryLong("SELECT count(*) FROM deliveries");
    }

    /**
     * Ends every unfinished delivery (CANCELLED), so what one scenario left behind (retries to hung endpoints, a
     * dead client's backlog) does not run into the next. Rows the service holds locked are skipped, not waited for
     * (waiting could deadlock with its batch updates), and tried again until a pass finds none left: at most 60
     * passes.
     */
    /**
     * For these clients' deliveries of documents named {@code documentPrefix...}: the wait from the event's commit to
     * the first attempt (p50 / p99 / max), and why attempts got no 2xx answer, most common first.
     */
    String attemptsOf(List<UUID> clients, String documentPrefix) throws SQLException {
        String ids = clients.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining(","));
        String lag = postgres.queryString("""
                SELECT format('first attempt after commit p50 %s ms, p99 %s ms, max %s ms',
                              l[1]::bigint, l[2]::bigint, l[3]::bigint)
                FROM (SELECT percentile_disc(ARRAY[0.5, 0.99, 1]) WITHIN GROUP (ORDER BY lag) AS l FROM (
                    SELECT extract(epoch FROM min(a.attempted_at) - d.created_at) * 1000 AS lag
                    FROM deliveries d
                    JOIN delivery_attempts a ON a.delivery_id = d.id AND a.delivery_created_at = d.created_at
                    WHERE d.client_id = ANY (CAST(string_to_array(?, ',') AS uuid[]))
                      AND d.document_id LIKE ? || '%'
                    GROUP BY d.id, d.created_at) f) p""", ids, documentPrefix);
        String failed = postgres.queryString("""
                SELECT coalesce(string_agg(why || ': ' || n, '; ' ORDER BY n DESC), 'none')
                FROM (SELECT left(coalesce(a.error, 'HTTP ' || a.status_code), 60) AS why, count(*) AS n
                      FROM delivery_attempts a
                      JOIN deliveries d ON d.id = a.delivery_id AND d.created_at = a.delivery_created_at
                      WHERE d.client_id = ANY (CAST(string_to_array(?, ',') AS uuid[]))
                        AND d.document_id LIKE ? || '%'
                        AND (a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299)
                      GROUP BY 1 ORDER BY 2 DESC LIMIT 4) w""", ids, documentPrefix);
        String statuses = postgres.queryString("""
                SELECT format('%s deliveries: %s', sum(n), string_agg(status || ' ' || n, ', '))
                FROM (SELECT d.status, count(*) AS n FROM deliveries d
                      WHERE d.client_id = ANY (CAST(string_to_array(?, ',') AS uuid[]))
                        AND d.document_id LIKE ? || '%'
                      GROUP BY 1) s""", ids, documentPrefix);
        String pending = postgres.queryString("""
                SELECT format('still pending: %s leased (claimed, in flight), %s not, of %s clients',
                              count(*) FILTER (WHERE q.lease_token IS NOT NULL),
                              count(*) FILTER (WHERE q.lease_token IS NULL), count(DISTINCT d.client_id))
                FROM deliveries d JOIN delivery_queue q ON q.id = d.id
                WHERE d.client_id = ANY (CAST(string_to_array(?, ',') AS uuid[]))
                  AND d.document_id LIKE ? || '%' AND d.status = 'PENDING'""", ids, documentPrefix);
        return statuses + " (" + pending + "); " + lag + "; attempts without a 2xx: " + failed;
    }

    long cancelPending() throws SQLException, InterruptedException {
        long cancelled = 0;
        for (int pass = 0; pass < 60; pass++) {
            long now = postgres.update("""
                    WITH q AS (
                        DELETE FROM delivery_queue
                        WHERE id IN (SELECT id FROM delivery_queue FOR UPDATE SKIP LOCKED)
                        RETURNING id, created_at)
                    UPDATE deliveries d SET status = 'CANCELLED', next_attempt_at = NULL, finished_at = now(),
                        last_error = 'cancelled by the benchmark between scenarios'
                    FROM q WHERE d.id = q.id AND d.created_at = q.created_at""");
            cancelled += now;
            if (postgres.queryLong("SELECT count(*) FROM delivery_queue") == 0) {
                break;
            }
            Thread.sleep(500); // the service is finishing the attempts it holds
        }
        return cancelled;
    }

    boolean deliveriesPartitioned() throws SQLException {
        return postgres.queryLong("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'deliveries'::regclass")
                > 0;
    }

    /**
     * Makes the day {@code daysAgo} days back (UTC) exist as partitions, as the service makes days ahead, and returns
     * how long ago its noon was: seeding with that age fills that day.
     */
    long pastDay(int daysAgo) throws SQLException {
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo);
        postgres.queryLong("SELECT make_history_partitions(DATE '" + day + "', 1)");
        return Duration.between(day.atTime(12, 0).toInstant(ZoneOffset.UTC), Instant.now())
                .toMillis();
    }

    /** The partition suffix of the day {@code daysAgo} days back, as the service names them. */
    static String daySuffix(int daysAgo) {
        return "p" + LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo).format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    long rowsIn(String partition) throws SQLException {
        return postgres.queryLong("SELECT count(*) FROM " + partition);
    }

    /** The retention step for one day, as the service's HistoryPartitions runs it: the day's three partitions, one statement. */
    void dropDay(String suffix) throws SQLException {
        postgres.execute(
                "DROP TABLE IF EXISTS events_" + suffix + ", deliveries_" + suffix + ", delivery_attempts_" + suffix);
    }
}
