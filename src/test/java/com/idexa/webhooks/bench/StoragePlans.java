package com.idexa.webhooks.bench;

import com.idexa.webhooks.config.IndexPlans;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The storage plans of issue 10, measured on a seeded database (not part of verify): the claim with one full
 * client's backlog of 1,000,000 due deliveries beside 100 (then 1,000) other clients, the delivery log's documentId
 * filter over millions of deliveries (5,000,000 unless given; "claims" after it measures only the claims), and
 * dropping a day of history. Writes EXPLAIN (ANALYZE, BUFFERS) output and
 * timings to target/plans/*.txt.
 *
 * <pre>
 * ./mvnw -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -q
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) com.idexa.webhooks.bench.StoragePlans [deliveries [claims]]
 * </pre>
 *
 * The statements are the service's own (read from its classes), run with the parameters the dispatcher and the
 * log API pass; every claim runs in a transaction that is rolled back, so each one sees the same queue.
 */
public final class StoragePlans {

    private static final Path OUT = Path.of("target", "plans");

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    private StoragePlans(DataSource dataSource) {
        this.jdbc = JdbcClient.create(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    public static void main(String[] args) throws Exception {
        long logDeliveries = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        Files.createDirectories(OUT);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("max_wal_size", "4GB")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("maintenance_work_mem", "256MB")
                .start()) {
            Flyway.configure()
                    .dataSource(postgres.getPostgresDatabase())
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            SingleConnectionDataSource connection =
                    new SingleConnectionDataSource(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", true);
            StoragePlans plans = new StoragePlans(connection);
            plans.claims();
            if (!(args.length > 1 && args[1].equals("claims"))) {
                plans.deliveryLog(logDeliveries);
                plans.retention();
            }
        }
    }

    // ---- the claim -------------------------------------------------------------------------------------------

    private void claims() throws Exception {
        UUID dead = UUID.randomUUID();
        jdbc.sql("SELECT make_history_partitions(CAST(now() AT TIME ZONE 'UTC' AS date) - 1, 2)")
                .query()
                .listOfRows();
        jdbc.sql("INSERT INTO clients VALUES (?, 'dead', now())").param(dead).update();
        jdbc.sql("INSERT INTO clients SELECT gen_random_uuid(), 'client ' || i, now() FROM generate_series(1, 100) i")
                .update();
        long started = System.nanoTime();
        // The dead client's backlog: a million due rows in the queue (their history rows are not needed: a full
        // client's rows are never read).
        jdbc.sql("""
                        INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at, next_attempt_at)
                        SELECT gen_random_uuid(), now(), ?, gen_random_uuid(), now(), now() - interval '1 hour' + i * interval '1 ms'
                        FROM generate_series(1, 1000000) i""").param(dead).update();
        seedDueWork("WHERE c.id <> '" + dead + "'", 10);
        jdbc.sql("VACUUM ANALYZE delivery_queue").update();
        String seeded = "seeded 1,000,000 due rows for one client and 10 due deliveries for each of 100 others in "
                + seconds(started) + "\n";

        Map<UUID, Integer> room = Map.of(dead, 0); // the dead client is at its cap
        String claim = serviceSql("com.idexa.webhooks.delivery.DeliveryQueue", "CLAIM");
        String plan = explain(claim, claimParams(room, 100, 8));
        String timings = time("claim, limit 100, per client 8, dead client full, 101 clients", 300, () -> {
            transactions.executeWithoutResult(status -> {
                asTheServicePlansQueueStatements(claim);
                run(claim, claimParams(room, 100, 8));
                status.setRollbackOnly();
            });
            return null;
        });
        write("claim-1M-dead-100-others.txt", seeded + timings + "\n" + plan);

        jdbc.sql("INSERT INTO clients SELECT gen_random_uuid(), 'more ' || i, now() FROM generate_series(1, 900) i")
                .update();
        seedDueWork("WHERE c.name LIKE 'more %'", 10);
        jdbc.sql("VACUUM ANALYZE delivery_queue").update();
        jdbc.sql("ANALYZE clients").update();
        String planThousand = explain(claim, claimParams(room, 100, 8));
        String timingsThousand = time("claim, limit 100, per client 8, dead client full, 1,001 clients", 300, () -> {
            transactions.executeWithoutResult(status -> {
                asTheServicePlansQueueStatements(claim);
                run(claim, claimParams(room, 100, 8));
                status.setRollbackOnly();
            });
            return null;
        });
        write(
                "claim-1M-dead-1000-others.txt",
                "the same, with 900 more clients of 10 due deliveries each\n" + timingsThousand + "\n" + planThousand);
        jdbc.sql("TRUNCATE delivery_queue").update();
    }

    /** For each client the filter picks: events, deliveries and queue rows of {@code perClient} due deliveries. */
    private void seedDueWork(String clientFilter, int perClient) {
        jdbc.sql("""
                        WITH work AS (
                            SELECT gen_random_uuid() AS event_id, gen_random_uuid() AS delivery_id, c.id AS client_id,
                                   'doc-' || i AS document_id, now() AS created_at
                            FROM clients c CROSS JOIN generate_series(1, %d) i %s
                        ), e AS (
                            INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                            SELECT event_id, client_id, event_id::text, 0, document_id, '{"id": "doc"}', created_at
                            FROM work
                        ), d AS (
                            INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                                    next_attempt_at, created_at)
                            SELECT delivery_id, event_id, created_at, client_id, document_id, 'PENDING',
                                   now() - interval '1 minute', created_at
                            FROM work
                        )
                        INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at, next_attempt_at)
                        SELECT delivery_id, created_at, client_id, event_id, created_at, now() - interval '1 minute'
                        FROM work""".formatted(perClient, clientFilter)).update();
    }

    private static Map<String, Object> claimParams(Map<UUID, Integer> room, int limit, int perClient) {
        List<UUID> busy = List.copyOf(room.keySet());
        return Map.of(
                "busyClients",
                new SqlArrayValue("uuid", busy.toArray()),
                "busyRoom",
                new SqlArrayValue("int4", busy.stream().map(room::get).toArray()),
                "perClient",
                perClient,
                "limit",
                limit,
                "leaseMillis",
                30_000L,
                "leaseToken",
                UUID.randomUUID(),
                "maxUnrecorded",
                5,
                "gaveUp",
                "gave up");
    }

    // ---- the delivery log ------------------------------------------------------------------------------------

    private void deliveryLog(long deliveries) throws Exception {
        int days = 5;
        long perDay = deliveries / days;
        jdbc.sql("SELECT make_history_partitions(CAST(now() AT TIME ZONE 'UTC' AS date) - 30, 31)")
                .query()
                .listOfRows();
        List<UUID> clients =
                jdbc.sql("SELECT id FROM clients ORDER BY id").query(UUID.class).list();
        jdbc.sql("CREATE TEMP TABLE seed_clients AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM clients")
                .update();
        long started = System.nanoTime();
        for (int day = days; day >= 1; day--) {
            // perDay deliveries (and their events) spread over the day, over every client; ~5 per document id
            jdbc.sql("""
                            WITH work AS (
                                SELECT gen_random_uuid() AS event_id, c.id AS client_id, 'doc-' || (i / %4$d %% 1000) AS document_id,
                                       date_trunc('day', now()) - %1$d * interval '1 day' + (i * (86399.0 / %2$d)) * interval '1 second' AS created_at,
                                       CASE WHEN i %% 20 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END AS status
                                FROM generate_series(1, %3$d) i JOIN seed_clients c ON c.n = i %% %4$d
                            ), e AS (
                                INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                                SELECT event_id, client_id, event_id::text, 0, document_id, '{"id": "doc"}', created_at FROM work
                            )
                            INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                                    attempt_count, created_at, last_attempt_at, last_status_code, finished_at)
                            SELECT gen_random_uuid(), event_id, created_at, client_id, document_id, status, 1, created_at,
                                   created_at, 200, created_at
                            FROM work""".formatted(day, perDay, perDay, clients.size())).update();
        }
        jdbc.sql("""
                        INSERT INTO delivery_attempts (delivery_id, delivery_created_at, attempted_at, duration_ms, status_code)
                        SELECT id, created_at, created_at, 12, 200 FROM deliveries
                        WHERE created_at < date_trunc('day', now()) - interval '%d days'""".formatted(days - 1)).update();
        jdbc.sql("VACUUM ANALYZE events").update();
        jdbc.sql("VACUUM ANALYZE deliveries").update();
        jdbc.sql("VACUUM ANALYZE delivery_attempts").update();
        long total =
                jdbc.sql("SELECT count(*) FROM deliveries").query(Long.class).single();
        String seeded = "seeded " + total + " deliveries with their events over " + days + " days (" + perDay
                + " a day, over " + clients.size() + " clients, ~5 per documentId), and an attempt for each of the"
                + " oldest day's, in " + seconds(started) + "; " + partitions() + " partitions per table\n";

        UUID client = clients.get(7);
        Method listSql = Class.forName("com.idexa.webhooks.deliverylog.DeliveryLogRepository")
                .getDeclaredMethod("listSql", boolean.class, boolean.class, boolean.class, int.class);
        listSql.setAccessible(true);
        String byDocument = (String) listSql.invoke(null, false, true, false, 20);
        String page = (String) listSql.invoke(null, false, false, false, 20);
        String failed = (String) listSql.invoke(null, true, false, false, 20);
        String nextPage = (String) listSql.invoke(null, false, false, true, 20);
        String byId = "SELECT " + serviceSql("com.idexa.webhooks.deliverylog.DeliveryLogRepository", "ITEM_COLUMNS")
                + " FROM deliveries d "
                + serviceSql("com.idexa.webhooks.deliverylog.DeliveryLogRepository", "ITEM_JOINS")
                + " WHERE d.id = :id AND d.client_id = :client";
        String attempts = """
                SELECT attempted_at, duration_ms, method, url, status_code, error, response_body
                FROM delivery_attempts WHERE delivery_id = :id ORDER BY id""";
        Map<String, Object> documentParams = Map.of("client", client, "documentId", "doc-7", "limit", 20);
        Map<String, Object> pageParams = Map.of("client", client, "limit", 20);
        Map<String, Object> failedParams = Map.of("client", client, "status", "FAILED", "limit", 20);
        UUID oldest = jdbc.sql("SELECT id FROM deliveries WHERE client_id = ? ORDER BY created_at LIMIT 1")
                .param(client)
                .query(UUID.class)
                .single();
        Map<String, Object> idParams = Map.of("client", client, "id", oldest);
        Map<String, Object> cursor = jdbc.sql(
                        "SELECT created_at, id FROM deliveries WHERE client_id = ? ORDER BY created_at DESC, id DESC"
                                + " OFFSET 2000 LIMIT 1")
                .param(client)
                .query()
                .singleRow();
        Map<String, Object> nextPageParams = Map.of(
                "client", client, "limit", 20, "afterCreatedAt", cursor.get("created_at"), "afterId", cursor.get("id"));

        StringBuilder out = new StringBuilder(seeded);
        out.append(time("log filtered by documentId", 500, () -> run(byDocument, documentParams)));
        out.append(time("log, first page", 500, () -> run(page, pageParams)));
        out.append(time("log filtered by status FAILED", 500, () -> run(failed, failedParams)));
        out.append(time("log, a page 2,000 deliveries back (cursor)", 500, () -> run(nextPage, nextPageParams)));
        out.append(time("one delivery by id alone (every partition probed)", 500, () -> run(byId, idParams)));
        out.append(time("its attempts by delivery id alone", 500, () -> run(attempts, Map.of("id", oldest))));
        out.append("\n-- documentId filter\n").append(explain(byDocument, documentParams));
        out.append("\n-- first page\n").append(explain(page, pageParams));
        out.append("\n-- status filter\n").append(explain(failed, failedParams));
        out.append("\n-- a page 2,000 back\n").append(explain(nextPage, nextPageParams));
        out.append("\n-- by id\n").append(explain(byId, idParams));
        out.append("\n-- attempts by id\n").append(explain(attempts, Map.of("id", oldest)));
        write("log-" + total + ".txt", out.toString());
    }

    // ---- retention -------------------------------------------------------------------------------------------

    private void retention() throws Exception {
        String day = jdbc.sql("""
                        SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYYMMDD') FROM deliveries""").query(String.class).single();
        String counts = jdbc.sql("""
                        SELECT (SELECT count(*) FROM deliveries_p%1$s) || ' deliveries, '
                            || (SELECT count(*) FROM events_p%1$s) || ' events, '
                            || (SELECT count(*) FROM delivery_attempts_p%1$s) || ' attempts'""".formatted(day)).query(String.class).single();
        Class<?> type = Class.forName("com.idexa.webhooks.deliverylog.HistoryPartitions");
        Constructor<?> constructor = type.getDeclaredConstructor(JdbcClient.class, TransactionTemplate.class);
        constructor.setAccessible(true);
        Object partitions = constructor.newInstance(jdbc, transactions);
        Method dropExpired = type.getDeclaredMethod("dropExpired", Duration.class);
        dropExpired.setAccessible(true);
        dropExpired.invoke(partitions, Duration.ofDays(5).plusHours(1)); // the empty days before the seeded ones
        long started = System.nanoTime();
        // a retention that makes only the oldest seeded day expire
        Object dropped = dropExpired.invoke(partitions, Duration.ofDays(4).plusHours(1));
        double millis = (System.nanoTime() - started) / 1e6;
        String check = explain(
                "SELECT EXISTS (SELECT 1 FROM delivery_queue WHERE created_at >= now() - interval '5 days'"
                        + " AND created_at < now() - interval '4 days')",
                Map.of());
        write(
                "retention-one-day.txt",
                "day p" + day + ": " + counts + "\nHistoryPartitions.dropExpired (lock the day's deliveries partition,"
                        + " check the queue, DROP TABLE events_p" + day + ", deliveries_p" + day
                        + ", delivery_attempts_p" + day + " in one statement; every partition older than the cutoff"
                        + " with nothing pending) took " + String.format("%.1f ms", millis)
                        + "; dropped " + dropped + "\n\n-- the pending check\n" + check);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private long partitions() {
        return jdbc.sql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'deliveries'::regclass")
                .query(Long.class)
                .single();
    }

    /** The claim runs with the service's IndexPlans settings: so here too. */
    private void asTheServicePlansQueueStatements(String sql) {
        if (sql.contains("SKIP LOCKED")) { // the claim; the delivery log's statements plan as they always did
            IndexPlans.forThisTransaction(jdbc);
        }
    }

    private String explain(String sql, Map<String, Object> params) {
        List<String> lines = new ArrayList<>();
        transactions.executeWithoutResult(status -> {
            asTheServicePlansQueueStatements(sql);
            lines.addAll(jdbc.sql("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    .params(params)
                    .query(String.class)
                    .list());
            status.setRollbackOnly();
        });
        return String.join("\n", lines) + "\n";
    }

    private int run(String sql, Map<String, Object> params) {
        return jdbc.sql(sql).params(params).query().listOfRows().size();
    }

    /** Runs it {@code times} times after a warm-up, and reports p50, p99 and max as the client saw them. */
    private static String time(String what, int times, Supplier<?> statement) {
        for (int i = 0; i < 20; i++) {
            statement.get();
        }
        double[] millis = new double[times];
        for (int i = 0; i < times; i++) {
            long started = System.nanoTime();
            statement.get();
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        String line = String.format(
                "%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d runs (round trip included)%n",
                what, millis[times / 2], millis[(int) Math.ceil(times * 0.99) - 1], millis[times - 1], times);
        System.out.print(line);
        return line;
    }

    private static String serviceSql(String className, String field) throws ReflectiveOperationException {
        Field constant = Class.forName(className).getDeclaredField(field);
        constant.setAccessible(true);
        return (String) constant.get(null);
    }

    private static String seconds(long startedNanos) {
        return String.format("%.0f s", (System.nanoTime() - startedNanos) / 1e9);
    }

    private static void write(String name, String text) throws IOException {
        Files.writeString(OUT.resolve(name), text);
        System.out.println("wrote " + OUT.resolve(name));
    }
}
