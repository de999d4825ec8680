package com.idexa.webhooks.config;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Planner settings for a transaction whose statements must reach their tables through indexes only, however big
 * PostgreSQL believes the tables are: sequential and bitmap scans off, and generic plans from the first call.
 *
 * <p>Why: a connection keeps a statement's generic plan, made with the statistics of its time. The tables that
 * start empty and then grow fast (the delivery queue after a burst; each day's new partition of the history) get
 * plans that scan them while they are small, kept until autovacuum analyzes them again, up to a minute or more
 * later: claims that scanned a million-row queue for 47 to 100 s (DeliveryQueue, PLANS_BY_INDEX), and intake
 * probes that read the whole of today's events partition once per transaction (EventRepository). With only index
 * paths left, the parameters' values choose nothing, so the plan is made once per connection rather than per call.
 * A statement that needs them must also be written so that an index probe is its only shape (a LATERAL subquery
 * with LIMIT rather than a join PostgreSQL may turn into a hash of the whole table).
 */
public final class IndexPlans {

    /** The settings, for the rest of the current transaction ({@code set_config(..., true)}, as SET LOCAL). */
    public static final String SETTINGS = "SELECT set_config('enable_seqscan', 'off', true),"
            + " set_config('enable_bitmapscan', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)";

    private IndexPlans() {}

    /** Applies {@link #SETTINGS} to the transaction in progress. */
    public static void forThisTransaction(JdbcClient jdbc) {
        jdbc.sql(SETTINGS).query().singleRow();
    }
}
