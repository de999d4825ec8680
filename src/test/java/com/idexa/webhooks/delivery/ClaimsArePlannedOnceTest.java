package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The dispatcher's claim is planned once per connection, not on every call: with only index paths allowed
 * (PLANS_BY_INDEX) the values choose nothing, yet PostgreSQL's own choice kept a custom plan for each call of the
 * claim (1.2 ms of planning a claim in the benchmark's throughput scenario).
 */
class ClaimsArePlannedOnceTest {

    @Test
    void aConnectionPlansTheClaimOnceAndReusesThePlan() {
        // one connection, preparing statements on the server after pgjdbc's default five executions
        SingleConnectionDataSource connection = TestDatabase.migratedConnection("claims_planned_", "");
        JdbcClient jdbc = JdbcClient.create(connection);
        jdbc.sql("INSERT INTO clients (id, name, created_at) SELECT gen_random_uuid(), 'c' || g, now() "
                        + "FROM generate_series(1, 50) g")
                .update();
        jdbc.sql("""
                        INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at,
                                                    next_attempt_at)
                        SELECT gen_random_uuid(), now(), c.id, gen_random_uuid(), now(), now() + interval '1 hour'
                        FROM clients c CROSS JOIN generate_series(1, 100)""").update();
        jdbc.sql("ANALYZE").update();
        DeliveryQueue queue = new DeliveryQueue(connection);

        for (int i = 0; i < 20; i++) { // nothing is due: the claims find nothing, and are planned all the same
            assertThat(queue.claim(100, 8, Map.of(), Duration.ofSeconds(30), UUID.randomUUID()))
                    .isEmpty();
        }

        Map<String, Object> plans = jdbc.sql("""
                        SELECT generic_plans, custom_plans FROM pg_prepared_statements
                        WHERE statement LIKE '%FOR UPDATE SKIP LOCKED%'""").query().singleRow();
        connection.destroy();
        assertThat(((Number) plans.get("custom_plans")).longValue())
                .as("claims planned for their values")
                .isZero();
        assertThat(((Number) plans.get("generic_plans")).longValue())
                .as("claims run on the connection's one plan")
                .isPositive();
    }
}
