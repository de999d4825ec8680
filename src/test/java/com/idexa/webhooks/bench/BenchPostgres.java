package com.idexa.webhooks.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The benchmark's embedded PostgreSQL 17, durable unless {@code BENCH_FSYNC=off}, with {@code pg_stat_statements}
 * loaded and a JSON log the benchmark can turn statement timing on and off in.
 *
 * <p>zonky starts the postmaster with {@code -F} (fsync off) followed by one {@code -c name=value} per server
 * setting, and sets {@code synchronous_commit=off} unless told otherwise. PostgreSQL applies command-line options
 * in order, so {@code -c fsync=on} after {@code -F} turns fsync back on; {@link #settings()} shows what the server
 * really runs with.
 */
final class BenchPostgres implements AutoCloseable {

    /** The database the baseline (db-scheduler) uses, beside the service's {@code postgres}. */
    static final String BASELINE_DATABASE = "baseline";

    private static final Pattern EXECUTE_DURATION = Pattern.compile("duration: ([0-9.]+) ms +execute ");

    private final EmbeddedPostgres postgres;
    private final boolean durable;
    private final Path logFile;

    private BenchPostgres(EmbeddedPostgres postgres, boolean durable, Path logFile) {
        this.postgres = postgres;
        this.durable = durable;
        this.logFile = logFile;
    }

    static BenchPostgres start(boolean durable) throws IOException, SQLException {
        Path logDirectory = Path.of("target", "bench-pg-log").toAbsolutePath();
        Files.createDirectories(logDirectory);
        String onOff = durable ? "on" : "off";
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", onOff)
                .setServerConfig("synchronous_commit", onOff)
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "1GB")
                .setServerConfig("max_wal_size", "4GB")
                // auto_explain: the plan of any statement slower than 2 s lands in the log (no timing overhead:
                // log_analyze stays off); log_lock_waits: a statement waiting on a lock longer than deadlock_timeout.
                .setServerConfig("shared_preload_libraries", "pg_stat_statements,auto_explain")
                .setServerConfig("auto_explain.log_min_duration", "2s")
                .setServerConfig("log_lock_waits", "on")
                .setServerConfig("pg_stat_statements.max", "1000")
                .setServerConfig("pg_stat_statements.track_planning", "on")
                .setServerConfig("track_io_timing", "off")
                .setServerConfig("logging_collector", "on")
                .setServerConfig("log_destination", "jsonlog")
                .setServerConfig("log_directory", logDirectory.toString())
                .setServerConfig("log_filename", "postgresql-%Y%m%d-%H%M%S.log")
                .setServerConfig("log_rotation_size", "0")
                .start();
        BenchPostgres bench = new BenchPostgres(postgres, durable, logDirectory);
        bench.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        bench.execute("CREATE DATABASE " + BASELINE_DATABASE);
        return bench;
    }

    boolean durable() {
        return durable;
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    DataSource service() {
        return postgres.getPostgresDatabase();
    }

    DataSource baseline() {
        return postgres.getDatabase("postgres", BASELINE_DATABASE);
    }

    /** A new, empty database on this server; its JDBC URL. */
    String newDatabase(String name) throws SQLException {
        execute("CREATE DATABASE " + name);
        return postgres.getJdbcUrl("postgres", name);
    }

    String baselineJdbcUrl() {
        return postgres.getJdbcUrl("postgres", BASELINE_DATABASE);
    }

    /** {@code fsync=on, synchronous_commit=on, ...} as the running server reports them. */
    String settings() throws SQLException {
        List<String> shown = new ArrayList<>();
        for (String name : List.of("server_version", "fsync", "synchronous_commit", "full_page_writes")) {
            shown.add(name + "=" + queryString("SHOW " + name));
        }
        return String.join(", ", shown);
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = service().getConnection()) {
            connection.createStatement().execute(sql);
        }
    }

    String queryString(String sql, Object... params) throws SQLException {
        try (Connection connection = service().getConnection();
                PreparedStatement statement = prepare(connection, sql, params);
                ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    long queryLong(String sql, Object... params) throws SQLException {
        String value = queryString(sql, params);
        return value == null ? 0 : Long.parseLong(value);
    }

    long update(String sql, Object... params) throws SQLException {
        try (Connection connection = service().getConnection();
                PreparedStatement statement = prepare(connection, sql, params)) {
            return statement.executeLargeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... params) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            statement.setObject(
                    i + 1, params[i] instanceof UUID[] ids ? connection.createArrayOf("uuid", ids) : params[i]);
        }
        return statement;
    }

    /** What PostgreSQL did for one database so far: statements run, transactions committed, WAL written. */
    record Work(long statements, long commits, long walBytes) {

        Work minus(Work before) {
            return new Work(statements - before.statements, commits - before.commits, walBytes - before.walBytes);
        }

        String perDelivery(long deliveries) {
            return String.format(
                    "%.2f statements, %.2f commits, %,.0f WAL bytes",
                    statements / (double) deliveries, commits / (double) deliveries, walBytes / (double) deliveries);
        }
    }

    /**
     * Statements: calls in {@code pg_stat_statements} for the database, the benchmark's own reads of the statistics
     * views left out. Commits: {@code pg_stat_database.xact_commit}. WAL: {@code pg_stat_wal.wal_bytes}, which is
     * for the whole server (the runs compared do not overlap; autovacuum's share is in it).
     */
    Work work(String database) throws SQLException {
        execute("SELECT pg_stat_force_next_flush()");
        long statements = queryLong("""
                SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                WHERE d.datname = ? AND s.query NOT ILIKE '%pg_stat%'""", database);
        long commits = queryLong("SELECT xact_commit FROM pg_stat_database WHERE datname = ?", database);
        long wal = queryLong("SELECT wal_bytes::bigint FROM pg_stat_wal");
        return new Work(statements, commits, wal);
    }

    /** Forgets what {@code pg_stat_statements} has counted so far, so {@link #topStatements} covers what follows. */
    void resetStatements() throws SQLException {
        execute("SELECT pg_stat_statements_reset()");
    }

    /**
     * The {@code n} statements of {@code database} that took the most PostgreSQL time since the last reset, with
     * their calls and their planning and execution time: where PostgreSQL's CPU goes, statement by statement.
     */
    String topStatements(String database, int n) throws SQLException {
        execute("SELECT pg_stat_force_next_flush()");
        return queryString("""
                SELECT string_agg(format('%s… %s calls, planning %s ms, execution %s ms',
                                         left(regexp_replace(query, '\\s+', ' ', 'g'), 70), calls,
                                         round(total_plan_time::numeric), round(total_exec_time::numeric)),
                                  '; ' ORDER BY total_plan_time + total_exec_time DESC)
                FROM (SELECT s.* FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                      WHERE d.datname = ? AND s.query NOT ILIKE '%pg_stat%'
                      ORDER BY s.total_plan_time + s.total_exec_time DESC LIMIT ?) top""", database, n);
    }

    /**
     * Logs the duration of every statement from now on ({@code log_min_duration_statement = 0}), until {@link
     * StatementTiming#stop()}: the log is then read for the statements that match.
     */
    StatementTiming timeStatements() throws SQLException, IOException {
        Path log = currentLog();
        long offset = Files.size(log);
        execute("ALTER SYSTEM SET log_min_duration_statement = 0");
        execute("SELECT pg_reload_conf()");
        return new StatementTiming(log, offset);
    }

    final class StatementTiming {
        private final Path log;
        private final long offset;

        private StatementTiming(Path log, long offset) {
            this.log = log;
            this.offset = offset;
        }

        /** @return the execution times (ms) of the statements whose text matches, in the order they ran */
        List<Double> stop(Predicate<String> statement) throws SQLException, IOException {
            execute("ALTER SYSTEM RESET log_min_duration_statement");
            execute("SELECT pg_reload_conf()");
            List<Double> millis = new ArrayList<>();
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                file.seek(offset);
                byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE - 8, file.length() - offset)];
                file.readFully(rest);
                for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                    Matcher duration = EXECUTE_DURATION.matcher(line);
                    if (duration.find() && statement.test(line)) {
                        millis.add(Double.parseDouble(duration.group(1)));
                    }
                }
            }
            return millis;
        }
    }

    private Path currentLog() throws IOException {
        try (var files = Files.list(logFile)) {
            return files.filter(f -> f.toString().endsWith(".json"))
                    .max((a, b) -> a.getFileName().compareTo(b.getFileName()))
                    .orElseThrow(() -> new IOException("PostgreSQL wrote no JSON log in " + logFile));
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
