package com.idexa.webhooks.deliverylog;

import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The partitions of the history: events, deliveries and delivery_attempts are partitioned by creation time, one
 * partition per UTC day ({@code <table>_pYYYYMMDD}), plus {@code <table>_legacy} for the rows recorded before V5.
 * A day's three partitions hold each other's rows (a delivery has its event's creation time, an attempt its
 * delivery's), so a day is made and dropped as a whole.
 *
 * <p>Written here rather than with pg_partman: the embedded PostgreSQL the tests and the local run use has no
 * extensions beyond the core ones, and what is needed is small: make the next days (a SQL function of V5,
 * idempotent and serialised by an advisory lock, so several instances may call it at once) and drop expired
 * days.
 */
@Repository
class HistoryPartitions {

    /**
     * A day's partitions (or the legacy ones), by the suffix their three tables share, and the range they cover.
     *
     * @param from null for the legacy partitions, which have no lower bound
     */
    record Day(String suffix, OffsetDateTime from, OffsetDateTime until) {}

    private static final Logger log = LoggerFactory.getLogger(HistoryPartitions.class);

    private static final List<String> TABLES = List.of("events", "deliveries", "delivery_attempts");

    /** The partitions of deliveries with their bounds, read from the catalog; the legacy one has no lower bound. */
    private static final String DAYS = """
            SELECT substring(c.relname FROM length('deliveries_') + 1) AS suffix,
                   substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''([^'']+)''\\)')::timestamptz AS from_time,
                   substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)')::timestamptz AS until_time
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'deliveries'::regclass
            ORDER BY until_time""";

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    HistoryPartitions(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** Makes the partitions of {@code days} days from today (UTC, the database's clock) that do not exist yet. */
    int makeAhead(int days) {
        return jdbc.sql("SELECT make_history_partitions(CAST(now() AT TIME ZONE 'UTC' AS date), ?)")
                .param(days)
                .query(Integer.class)
                .single();
    }

    /** Makes the partitions of {@code days} days from {@code first} that do not exist yet. */
    int make(LocalDate first, int days) {
        return jdbc.sql("SELECT make_history_partitions(?, ?)")
                .params(first, days)
                .query(Integer.class)
                .single();
    }

    List<Day> days() {
        return jdbc.sql(DAYS)
                .query((rs, row) -> new Day(
                        rs.getString("suffix"),
                        rs.getObject("from_time", OffsetDateTime.class),
                        rs.getObject("until_time", OffsetDateTime.class)))
                .list();
    }

    /**
     * Drops each day whose end is older than the retention by the database's clock and that holds no pending
     * delivery (one retried from the log keeps its day), the three tables' partitions in one statement. The
     * day's deliveries partition is locked first, so a retry cannot put one of its deliveries back in the queue
     * between the check and the drop; a lock that is not granted within a second leaves the day for the next
     * run rather than queueing everyone behind it.
     *
     * @return the days dropped
     */
    List<Day> dropExpired(Duration retention) {
        OffsetDateTime cutoff = jdbc.sql("SELECT now() - ? * interval '1 millisecond'")
                .param(retention.toMillis())
                .query(OffsetDateTime.class)
                .single();
        List<Day> dropped = new ArrayList<>();
        for (Day day : days()) {
            if (day.until().isAfter(cutoff)) {
                break;
            }
            try {
                if (Boolean.TRUE.equals(transactions.execute(status -> drop(day)))) {
                    dropped.add(day);
                }
            } catch (DataAccessException e) {
                if (!lockConflict(e)) {
                    throw e;
                }
                log.info("History of {} not dropped: its tables are busy; trying again next time", day.suffix());
            }
        }
        return dropped;
    }

    private boolean drop(Day day) {
        jdbc.sql("SET LOCAL lock_timeout = '1s'").update();
        jdbc.sql("LOCK TABLE " + partition("deliveries", day) + " IN ACCESS EXCLUSIVE MODE")
                .update();
        // A day is kept while a delivery of it is pending, unless it is only held for an endpoint that stayed
        // disabled past the retention: those go with their day, so they cannot keep every client's history for ever.
        boolean pending = jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM delivery_queue q
                                       WHERE q.created_at >= coalesce(CAST(? AS timestamptz), '-infinity')
                                         AND q.created_at < ?
                                         AND NOT EXISTS (SELECT 1 FROM endpoint_health h
                                                         WHERE h.client_id = q.client_id AND h.state = 'DISABLED'
                                                           AND q.lease_token IS NULL))""")
                .params(day.from(), day.until())
                .query(Boolean.class)
                .single();
        if (pending) {
            return false;
        }
        int expiredHeld = jdbc.sql("""
                        DELETE FROM delivery_queue
                        WHERE created_at >= coalesce(CAST(? AS timestamptz), '-infinity') AND created_at < ?""").params(day.from(), day.until()).update();
        if (expiredHeld > 0) {
            log.warn(
                    "{} deliveries held for disabled endpoints expired with the history of {}",
                    expiredHeld,
                    day.suffix());
        }
        jdbc.sql("DROP TABLE IF EXISTS "
                        + String.join(
                                ", ",
                                TABLES.stream().map(t -> partition(t, day)).toList()))
                .update();
        return true;
    }

    /** Lock not granted in time (55P03), or chosen as a deadlock's victim (40P01, racing the recorder): busy. */
    private static boolean lockConflict(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql
                    && ("55P03".equals(sql.getSQLState()) || "40P01".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static String partition(String table, Day day) {
        if (!day.suffix().matches("legacy|p[0-9]{8}")) {
            throw new IllegalStateException("not a history partition: " + day.suffix());
        }
        return table + "_" + day.suffix();
    }
}
