package com.idexa.webhooks.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 17 from zonky's embedded binaries, run as its own postmaster so it can be restarted and frozen.
 * Unlike zonky's defaults (and the benchmark's), commits are durable: {@code fsync} and {@code synchronous_commit}
 * are on. Restart and freeze act on the postmaster found in the data directory's {@code postmaster.pid}.
 */
final class FaultPostgres implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final ProcessRegistry registry;
    private volatile boolean frozen;

    private FaultPostgres(EmbeddedPostgres postgres, Path dataDirectory, ProcessRegistry registry) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.registry = registry;
    }

    static FaultPostgres start(Path dataDirectory, ProcessRegistry registry) throws IOException {
        deleteRecursively(dataDirectory);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "on") // zonky starts postgres with -F; a later -c wins
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        FaultPostgres started = new FaultPostgres(postgres, dataDirectory, registry);
        registry.add("postgres", started.postmasterPid(), dataDirectory.toString());
        return started;
    }

    String jdbcUrl(String database) {
        return postgres.getJdbcUrl("postgres", database);
    }

    void createDatabase(String name) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    /** @return {@code server_version, fsync, synchronous_commit} as the server reports them */
    String describe() throws SQLException {
        List<String> settings = new ArrayList<>();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            for (String name : List.of("server_version", "fsync", "synchronous_commit")) {
                try (ResultSet rs = statement.executeQuery("SHOW " + name)) {
                    rs.next();
                    settings.add(rs.getString(1));
                }
            }
        }
        return String.join(", ", settings);
    }

    /**
     * What the service's own table says of these deliveries: status and attempt count by id (absent ids are not in
     * the table). Read only to explain deliveries the receiver never got; the numbers come from outside.
     */
    Map<String, String> deliveryStatus(String database, Collection<String> ids) throws SQLException {
        Map<String, String> status = new HashMap<>();
        if (ids.isEmpty()) {
            return status;
        }
        try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT id::text, status, attempt_count FROM deliveries WHERE id::text = ANY (?)")) {
            query.setArray(1, connection.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    status.put(rs.getString(1), rs.getString(2) + " after " + rs.getInt(3) + " attempts");
                }
            }
        }
        return status;
    }

    /** {@code pg_ctl restart -m fast}: every session is cut, the server stops and starts again on the same port. */
    void restart() throws IOException, InterruptedException {
        Path pgCtl = binaries().resolve("pg_ctl");
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            command.addAll(List.of("/usr/bin/unshare", "-U")); // pg_ctl refuses root; zonky starts it the same way
        }
        command.addAll(
                List.of(pgCtl.toString(), "-D", dataDirectory.toString(), "-m", "fast", "-w", "-t", "60", "restart"));
        Process restart = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        dataDirectory.resolveSibling("pg_ctl-restart.log").toFile())
                .start();
        if (!restart.waitFor(90, TimeUnit.SECONDS) || restart.exitValue() != 0) {
            restart.destroyForcibly();
            throw new IllegalStateException(
                    "pg_ctl restart failed; see " + dataDirectory.resolveSibling("pg_ctl-restart.log"));
        }
        registry.add("postgres", postmasterPid(), dataDirectory.toString());
    }

    /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
    void freeze() throws IOException, InterruptedException {
        frozen = true;
        signal("STOP");
    }

    void thaw() throws IOException, InterruptedException {
        signal("CONT");
        frozen = false;
    }

    private void signal(String signal) throws IOException, InterruptedException {
        long postmaster = postmasterPid();
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(postmaster)));
        ProcessHandle.of(postmaster)
                .ifPresent(handle -> handle.descendants().forEach(child -> command.add(Long.toString(child.pid()))));
        Process kill = new ProcessBuilder(command).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
        }
    }

    long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                .get(0)
                .trim());
    }

    private Path binaries() throws IOException {
        return ProcessHandle.of(postmasterPid())
                .flatMap(handle -> handle.info().command())
                .map(command -> Path.of(command).getParent())
                .orElseThrow(() -> new IllegalStateException("cannot find the postgres binaries"));
    }

    /** For the way out: a frozen server could not be stopped. */
    void thawIfFrozen() {
        if (frozen) {
            try {
                thaw();
            } catch (IOException e) {
                System.err.println("could not thaw PostgreSQL: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws IOException {
        thawIfFrozen();
        postgres.close();
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
