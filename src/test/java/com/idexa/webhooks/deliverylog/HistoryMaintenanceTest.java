package com.idexa.webhooks.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.delivery.Dispatcher;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestReceiver;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The history is kept in daily partitions: made ahead, and dropped whole once a day is past the retention and holds
 * nothing pending, by the database's clock.
 */
class HistoryMaintenanceTest extends DeliveryTestSupport {

    @Autowired
    HistoryMaintenance maintenance;

    @Autowired
    HistoryPartitions partitions;

    @Autowired
    Dispatcher dispatcher;

    @Autowired
    JdbcClient jdbc;

    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void cleanUp() {
        receiver.close();
        dispatcher.start();
    }

    @Test
    void dropsADayPastTheRetentionWithItsEventsAndAttemptsAndKeepsADayWithAPendingDelivery() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String recent = deliver(client, "recent");
        awaitStatus(client, recent, "SUCCEEDED");
        LocalDate today = today();
        LocalDate expired = today.minusDays(40);
        LocalDate retried = today.minusDays(41);
        partitions.make(retried, 2);
        UUID old = finishedDeliveryOn(client.clientId(), expired);
        UUID oldButRetried = finishedDeliveryOn(client.clientId(), retried);
        dispatcher.stop(); // the retried one stays pending
        assertThat(http().apiKey(client.apiKey())
                        .post("/document_webhooks/deliveries/" + oldButRetried + "/retry", "")
                        .status())
                .isEqualTo(202);

        dropsSoon(expired); // a drop may wait for a busy moment to pass

        assertThat(partitionExists("events", expired)).isFalse();
        assertThat(partitionExists("deliveries", expired)).isFalse();
        assertThat(partitionExists("delivery_attempts", expired)).isFalse();
        assertThat(count("SELECT count(*) FROM deliveries WHERE id = ?", old)).isZero();
        assertThat(partitionExists("deliveries", retried))
                .as("a day with a pending delivery stays")
                .isTrue();
        assertThat(count("SELECT count(*) FROM deliveries WHERE id = ?", oldButRetried))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM delivery_attempts WHERE delivery_id = ?", oldButRetried))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM deliveries WHERE id = ?", UUID.fromString(recent)))
                .isEqualTo(1);

        dispatcher.start();
        awaitStatus(client, oldButRetried.toString(), "SUCCEEDED");
        dropsSoon(retried);
    }

    @Test
    void deliveriesHeldForADisabledEndpointExpireWithTheirDay() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        disable(client);
        LocalDate expired = today().minusDays(40);
        partitions.make(expired, 1);
        UUID held = pendingDeliveryOn(client.clientId(), expired);

        dropsSoon(expired);

        assertThat(count("SELECT count(*) FROM delivery_queue WHERE id = ?", held))
                .isZero();
    }

    @Test
    void aDayKeptForAPendingDeliveryKeepsItsHeldOnesQueuedToo() {
        ClientService.IssuedKey disabledClient = newClient();
        registerWebhook(disabledClient, simpleWebhook("POST", receiver.url("/cb/:id")));
        disable(disabledClient);
        ClientService.IssuedKey activeClient = newClient();
        registerWebhook(activeClient, simpleWebhook("POST", receiver.url("/cb/:id")));
        LocalDate expired = today().minusDays(42);
        partitions.make(expired, 1);
        dispatcher.stop(); // the active client's delivery stays pending
        UUID held = pendingDeliveryOn(disabledClient.clientId(), expired);
        pendingDeliveryOn(activeClient.clientId(), expired);

        maintenance.maintain();

        assertThat(partitionExists("deliveries", expired)).isTrue();
        assertThat(count("SELECT count(*) FROM delivery_queue WHERE id = ?", held))
                .as("a held delivery is not dropped from the queue while its day is kept")
                .isEqualTo(1);
    }

    /** The client's endpoint DISABLED, as the outcome recorder leaves it: its pending deliveries are held. */
    private void disable(ClientService.IssuedKey client) {
        jdbc.sql("UPDATE endpoint_health SET state = 'DISABLED', disabled_at = now(), reason = 'test' "
                        + "WHERE client_id = ?")
                .param(client.clientId())
                .update();
    }

    private UUID pendingDeliveryOn(UUID clientId, LocalDate day) {
        UUID delivery = finishedDeliveryOn(clientId, day);
        jdbc.sql("""
                        WITH pending AS (
                            UPDATE deliveries SET status = 'PENDING', finished_at = NULL WHERE id = ?
                            RETURNING id, created_at, client_id, event_id, event_created_at, attempt_count
                        )
                        INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at,
                                                    next_attempt_at, attempt_count)
                        SELECT id, created_at, client_id, event_id, event_created_at, now() + interval '1 hour',
                               attempt_count
                        FROM pending""").param(delivery).update();
        return delivery;
    }

    @Test
    void makesTheNextDaysAheadAndAnEventAtMidnightLandsInItsDay() {
        LocalDate today = today();
        maintenance.maintain();
        for (int day = 0; day < HistoryMaintenance.DAYS_AHEAD; day++) {
            assertThat(partitionExists("events", today.plusDays(day))).isTrue();
            assertThat(partitionExists("deliveries", today.plusDays(day))).isTrue();
            assertThat(partitionExists("delivery_attempts", today.plusDays(day)))
                    .isTrue();
        }
        assertThat(partitions.makeAhead(HistoryMaintenance.DAYS_AHEAD))
                .as("idempotent")
                .isZero();

        ClientService.IssuedKey client = newClient();
        OffsetDateTime midnight = today.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        assertThat(eventPartition(client.clientId(), midnight)).isEqualTo("events_" + suffix(today.plusDays(1)));
        assertThat(eventPartition(client.clientId(), midnight.minusNanos(1_000)))
                .isEqualTo("events_" + suffix(today));
    }

    private void dropsSoon(LocalDate day) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            maintenance.maintain();
            assertThat(partitionExists("deliveries", day)).isFalse();
        });
    }

    private LocalDate today() {
        return jdbc.sql("SELECT CAST(now() AT TIME ZONE 'UTC' AS date)")
                .query(LocalDate.class)
                .single();
    }

    private String eventPartition(UUID clientId, OffsetDateTime createdAt) {
        return jdbc.sql("""
                        INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                        VALUES (gen_random_uuid(), ?, gen_random_uuid()::text, 0, 'd', '{}', ?)
                        RETURNING tableoid::regclass::text""").params(clientId, createdAt).query(String.class).single();
    }

    /** A delivery that succeeded long ago, made as intake and the dispatcher would have, on that day. */
    private UUID finishedDeliveryOn(UUID clientId, LocalDate day) {
        OffsetDateTime at = day.atTime(12, 0).atOffset(ZoneOffset.UTC);
        UUID event = UUID.randomUUID();
        UUID delivery = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO events (id, client_id, event_key, type, document_id, document, created_at)
                        VALUES (?, ?, ?, 0, 'old', '{"id": "old"}', ?)""").params(event, clientId, event.toString(), at).update();
        jdbc.sql("""
                        INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status,
                                                attempt_count, created_at, last_attempt_at, last_status_code,
                                                finished_at)
                        VALUES (?, ?, ?, ?, 'old', 'SUCCEEDED', 1, ?, ?, 200, ?)""").params(delivery, event, at, clientId, at, at, at).update();
        jdbc.sql("""
                        INSERT INTO delivery_attempts (delivery_id, delivery_created_at, attempted_at, duration_ms,
                                                       status_code)
                        VALUES (?, ?, ?, 5, 200)""").params(delivery, at, at).update();
        return delivery;
    }

    private boolean partitionExists(String table, LocalDate day) {
        return jdbc.sql("SELECT to_regclass(?) IS NOT NULL")
                .param(table + "_" + suffix(day))
                .query(Boolean.class)
                .single();
    }

    private static String suffix(LocalDate day) {
        return "p" + day.format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    private long count(String sql, UUID deliveryId) {
        return jdbc.sql(sql).param(deliveryId).query(Long.class).single();
    }
}
