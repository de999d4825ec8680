package com.idexa.webhooks.delivery;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Due deliveries written straight into the tables, as intake writes them: events, their history and queue rows. */
final class QueueSeeds {

    private QueueSeeds() {}

    /**
     * {@code count} due deliveries of {@code client}, a millisecond apart, the last created a minute ago (the history's
     * partitions of that day must exist, as {@code TestDatabase.migratedConnection} makes them).
     */
    static void due(JdbcClient jdbc, UUID client, int count) {
        jdbc.sql("""
                        WITH e AS (
                            INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                            SELECT gen_random_uuid(), ?, 'k' || g, 0, 'd' || g, '{}',
                                   now() - interval '1 minute' - (? - g) * interval '1 millisecond'
                            FROM generate_series(1, ?) g
                            RETURNING id, client_id, document_id, created_at
                        ), d AS (
                            INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                                    next_attempt_at, created_at)
                            SELECT gen_random_uuid(), id, created_at, client_id, document_id, 'PENDING', created_at,
                                   created_at
                            FROM e
                            RETURNING id, event_id, created_at, client_id
                        )
                        INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at, next_attempt_at)
                        SELECT id, created_at, client_id, event_id, created_at, created_at FROM d""").params(client, count, count).update();
    }
}
