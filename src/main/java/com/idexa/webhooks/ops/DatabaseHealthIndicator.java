package com.idexa.webhooks.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL's part of readiness, answered at once from the last background check, never by waiting on the
 * database. A thread checks every second (a connection from the pool, validated with a one-second deadline);
 * the database is UP only while the last check succeeded and that success is at most {@link #STALE_AFTER} old.
 * So a database that refuses connections, or one that is frozen and holds the checking thread, reads DOWN
 * within two seconds, and the probe itself never waits. Spring Boot's own DataSource indicator, which this
 * replaces (it is registered as {@code db}), waits for the pool and runs its query without a deadline: readiness
 * went unanswered for as long as the database was frozen.
 */
@Component("dbHealthIndicator")
class DatabaseHealthIndicator implements HealthIndicator, SmartLifecycle {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration STALE_AFTER = Duration.ofSeconds(2);
    private static final int VALIDATION_TIMEOUT_SECONDS = 1;

    private final DataSource dataSource;
    private volatile long lastSuccessNanos;
    private volatile boolean everSucceeded;
    private volatile String lastFailure = "not checked yet";
    private ScheduledExecutorService checker;

    DatabaseHealthIndicator(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Health health() {
        String failure = lastFailure;
        if (failure != null) {
            return Health.down().withDetail("reason", failure).build();
        }
        long age = System.nanoTime() - lastSuccessNanos;
        if (!everSucceeded || age > STALE_AFTER.toNanos()) {
            return Health.down()
                    .withDetail("reason", "no answer for " + TimeUnit.NANOSECONDS.toMillis(age) + " ms")
                    .build();
        }
        return Health.up().build();
    }

    /** One check; runs on the checker thread (and once at start, so readiness is known from the first probe). */
    void check() {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
                lastSuccessNanos = System.nanoTime();
                everSucceeded = true;
                lastFailure = null;
            } else {
                lastFailure = "connection not valid";
            }
        } catch (SQLException | RuntimeException e) {
            lastFailure = "check failed: " + e.getClass().getSimpleName();
        }
    }

    @Override
    public synchronized void start() {
        check();
        checker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "database-health");
            thread.setDaemon(true);
            return thread;
        });
        checker.scheduleWithFixedDelay(this::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (checker != null) {
            checker.shutdownNow();
            checker = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return checker != null;
    }
}
