package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.idexa.webhooks.support.TestDatabase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * V9 moves the lease out of {@code next_attempt_at}: a row leased under V8 keeps its lease, and an older release still
 * running while a newer one takes over (one instance at a time) can no longer claim, so it never takes a row the
 * newer one holds, but still records the outcome of what it holds.
 */
class MigrationToLeasesOutsideTheDueIndexTest {

    private static final UUID CLIENT = UUID.randomUUID();
    private static final UUID LEASED = UUID.randomUUID();
    private static final UUID OLD_LEASE = UUID.randomUUID();
    private static final UUID DUE = UUID.randomUUID();

    @Test
    void aLeaseTakenBeforeKeepsItsEndAndAnOlderReleaseStopsClaimingButRecordsWhatItHolds() {
        DriverManagerDataSource database = TestDatabase.fresh("migration_").dataSource();
        JdbcClient jdbc = JdbcClient.create(database);
        TestDatabase.flyway(database, "8").migrate();
        jdbc.sql("SELECT make_history_partitions(current_date, 1)").query().singleRow();
        OffsetDateTime leaseEnds = recordUnderV8(jdbc);

        TestDatabase.flyway(database, "latest").migrate();

        assertThat(jdbc.sql("SELECT leased_until FROM delivery_queue WHERE id = ?")
                        .param(LEASED)
                        .query(OffsetDateTime.class)
                        .single()
                        .toInstant())
                .isEqualTo(leaseEnds.toInstant());
        DeliveryQueue queue = new DeliveryQueue(database);
        List<ClaimedDelivery> claimed = queue.claim(10, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID());
        assertThat(claimed)
                .extracting(ClaimedDelivery::id)
                .as("the leased one is not due")
                .containsExactly(DUE);

        assertThatThrownBy(() -> jdbc.sql("""
                                UPDATE delivery_queue SET next_attempt_at = now() + interval '30 seconds',
                                                          lease_token = gen_random_uuid()
                                WHERE id = ? AND next_attempt_at <= now()""").param(DUE).update())
                .as("an older release's claim of the row this one holds")
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("a claim must set leased_until");

        assertThat(queue.depth().due()).as("both are leased: neither is due").isZero();
        assertThat(jdbc.sql("UPDATE delivery_queue SET next_attempt_at = now() + interval '30 seconds' "
                                + "WHERE id = ? AND lease_token = ?")
                        .params(LEASED, OLD_LEASE)
                        .update())
                .as("an older release renews the lease of what it holds")
                .isOne();

        assertThat(jdbc.sql("""
                                UPDATE delivery_queue SET attempt_count = attempt_count + 1, next_attempt_at = now(),
                                                          lease_token = NULL, unrecorded_claims = 0
                                WHERE id = ? AND lease_token = ?""").params(LEASED, OLD_LEASE).update())
                .as("an older release records the outcome of what it held: a retry due now")
                .isOne();
        assertThat(queue.depth().due()).isOne();
        List<ClaimedDelivery> again = queue.claim(10, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID());
        assertThat(again).extracting(ClaimedDelivery::id).containsExactly(LEASED);

        assertThat(queue.release(again)).isOne();
        assertThatThrownBy(() -> jdbc.sql("""
                                UPDATE delivery_queue SET next_attempt_at = now() + interval '30 seconds',
                                                          lease_token = gen_random_uuid()
                                WHERE id = ? AND next_attempt_at <= now()""").param(LEASED).update())
                .as("an older release's claim of a row nobody holds")
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void aLeaseWithoutAnEndEndsAtNextAttemptAtAsBeforeV9() {
        // what a release before V9 leaves when an operator dropped the trigger and the constraint to roll back
        DriverManagerDataSource database = TestDatabase.fresh("migration_").dataSource();
        JdbcClient jdbc = JdbcClient.create(database);
        TestDatabase.flyway(database, "latest").migrate();
        jdbc.sql("SELECT make_history_partitions(current_date, 1)").query().singleRow();
        jdbc.sql("DROP TRIGGER delivery_queue_lease_has_an_end ON delivery_queue")
                .update();
        jdbc.sql("ALTER TABLE delivery_queue DROP CONSTRAINT delivery_queue_lease_has_an_end")
                .update();
        recordUnderV8(jdbc);
        DeliveryQueue queue = new DeliveryQueue(database);
        assertThat(queue.claim(10, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID()))
                .extracting(ClaimedDelivery::id)
                .as("held until its next_attempt_at")
                .containsExactly(DUE);

        jdbc.sql("UPDATE delivery_queue SET next_attempt_at = now() - interval '1 second' WHERE id = ?")
                .param(LEASED)
                .update();

        assertThat(queue.claim(10, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID()))
                .extracting(ClaimedDelivery::id)
                .containsExactly(LEASED);
    }

    /** A delivery claimed by an instance under V8 (its lease's end in next_attempt_at) and one due now. */
    private static OffsetDateTime recordUnderV8(JdbcClient jdbc) {
        jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'Client', now())")
                .param(CLIENT)
                .update();
        for (UUID id : List.of(LEASED, DUE)) {
            jdbc.sql("""
                            INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                            VALUES (?, ?, ?, 0, ?, '{}', date_trunc('second', now()))""").params(id, CLIENT, "evt-" + id, "doc-" + id).update();
            jdbc.sql("""
                            INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                                    next_attempt_at, created_at)
                            SELECT id, id, created_at, client_id, document_id, 'PENDING', created_at, created_at
                            FROM events WHERE id = ?""").param(id).update();
            jdbc.sql("""
                            INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at,
                                                        next_attempt_at)
                            SELECT id, created_at, client_id, id, created_at, created_at FROM events WHERE id = ?""").param(id).update();
        }
        return jdbc.sql("""
                        UPDATE delivery_queue SET next_attempt_at = now() + interval '1 hour', lease_token = ?,
                                                  unrecorded_claims = 1
                        WHERE id = ? RETURNING next_attempt_at""")
                .params(OLD_LEASE, LEASED)
                .query(OffsetDateTime.class)
                .single();
    }
}
