package com.idexa.webhooks.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL the tests run against, started once per JVM: a Testcontainers PostgreSQL 17 where a
 * Docker engine answers, an embedded PostgreSQL 17 (zonky) everywhere else. {@code -Dtest.database=embedded}
 * or {@code =testcontainers} forces one.
 */
public final class TestDatabase {

    public record Connection(String url, String username, String password) {

        public DriverManagerDataSource dataSource() {
            return new DriverManagerDataSource(url, username, password);
        }
    }

    private static Connection connection;

    private TestDatabase() {}

    public static synchronized Connection get() {
        if (connection == null) {
            connection = useTestcontainers() ? startContainer() : startEmbedded();
        }
        return connection;
    }

    /** A new, empty database on the same server, for a test that migrates it or starts instances of its own. */
    public static Connection fresh(String prefix) {
        Connection server = get();
        String name = prefix + UUID.randomUUID().toString().replace("-", "");
        JdbcClient.create(server.dataSource()).sql("CREATE DATABASE " + name).update();
        return new Connection(
                server.url().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1"), server.username(), server.password());
    }

    /**
     * A new database, migrated, with the history's partitions around today (any time zone), on one connection that
     * keeps what it prepared and planned, as each connection of the service's pool does: for tests that count what
     * one backend reads, writes or plans ({@code pg_stat_xact_*}, {@code pg_prepared_statements}).
     *
     * @param urlParameters JDBC URL parameters for the connection ({@code a=b&c=d}), or empty
     */
    public static SingleConnectionDataSource migratedConnection(String prefix, String urlParameters) {
        Connection database = fresh(prefix);
        flyway(database.dataSource(), "latest").migrate();
        String url = urlParameters.isEmpty()
                ? database.url()
                : database.url() + (database.url().contains("?") ? "&" : "?") + urlParameters;
        SingleConnectionDataSource connection =
                new SingleConnectionDataSource(url, database.username(), database.password(), true);
        JdbcClient.create(connection)
                .sql("SELECT make_history_partitions(current_date - 1, 3)")
                .query()
                .singleRow();
        return connection;
    }

    /**
     * A migrated database behind one connection that plans as the service's pool does and keeps its plans
     * (statements prepared on the server from their first use, generic plans at once, as PostgreSQL picks them by
     * itself after five executions), with autovacuum off for the history's partitions: no analyze comes to help.
     */
    public static SingleConnectionDataSource keptPlansConnection(String prefix) {
        SingleConnectionDataSource connection =
                migratedConnection(prefix, "prepareThreshold=1&options=-c%20plan_cache_mode%3Dforce_generic_plan");
        JdbcClient jdbc = JdbcClient.create(connection);
        for (String partition : jdbc.sql("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        + "WHERE i.inhparent IN ('deliveries'::regclass, 'events'::regclass)")
                .query(String.class)
                .list()) {
            jdbc.sql("ALTER TABLE " + partition + " SET (autovacuum_enabled = false)")
                    .update();
        }
        return connection;
    }

    /** Flyway over the service's migrations, up to {@code target} ("latest" for all). */
    public static Flyway flyway(DataSource database, String target) {
        return Flyway.configure()
                .dataSource(database)
                .locations("classpath:db/migration")
                .target(target)
                .load();
    }

    private static boolean useTestcontainers() {
        String forced = System.getProperty("test.database", System.getenv().getOrDefault("TEST_DATABASE", ""));
        if (!forced.isEmpty()) {
            return forced.equals("testcontainers");
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Connection startContainer() {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
        container.start();
        return new Connection(container.getJdbcUrl(), container.getUsername(), container.getPassword());
    }

    private static Connection startEmbedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
            return new Connection(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }
}
