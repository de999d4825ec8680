package com.idexa.webhooks.endpoint;

import com.idexa.webhooks.delivery.EndpointState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code endpoint_health} (V7), one row per webhook, read and changed only for the webhook's own client: a webhook
 * of another client is not found.
 */
@Repository
class EndpointRepository {

    private final JdbcClient jdbc;

    EndpointRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<EndpointStatus> status(UUID webhookId, UUID clientId) {
        return jdbc.sql("""
                        SELECT state, disabled_at, reason, last_success_at, last_failure_at, consecutive_failures
                        FROM endpoint_health WHERE webhook_id = ? AND client_id = ?""")
                .params(webhookId, clientId)
                .query(EndpointRepository::status)
                .optional();
    }

    /**
     * Makes a disabled endpoint ACTIVE with a clean slate (no failures counted), and its held deliveries due at
     * once, in the order they were created: each is due from its creation time, and claims take a client's due
     * deliveries oldest first, within its room. A delivery whose attempt is in flight (a lease is held) is left to
     * it.
     *
     * @return when it was enabled; empty when it was not disabled
     */
    Optional<OffsetDateTime> enable(UUID webhookId, UUID clientId) {
        // The client's queue rows first, in id order, then its health row: the order the outcomes statement locks
        // them in, so the two never wait on each other in a circle.
        // An endpoint that is not disabled has nothing to release: its queue is not locked at all.
        boolean disabled = jdbc.sql("SELECT EXISTS (SELECT 1 FROM endpoint_health "
                        + "WHERE webhook_id = ? AND client_id = ? AND state = 'DISABLED')")
                .params(webhookId, clientId)
                .query(Boolean.class)
                .single();
        if (!disabled) {
            return Optional.empty();
        }
        jdbc.sql("SELECT count(*) FROM (SELECT 1 FROM delivery_queue WHERE client_id = ? AND lease_token IS NULL "
                        + "ORDER BY id FOR UPDATE) locked")
                .param(clientId)
                .query(Long.class)
                .single();
        return jdbc.sql("""
                        WITH enabled AS (
                            UPDATE endpoint_health
                            SET state = 'ACTIVE', disabled_at = NULL, reason = NULL, consecutive_failures = 0,
                                failing_since = NULL
                            WHERE webhook_id = ? AND client_id = ? AND state = 'DISABLED'
                            RETURNING client_id
                        ), released AS (
                            UPDATE delivery_queue q
                            SET next_attempt_at = least(q.created_at, now())
                            FROM enabled
                            WHERE q.client_id = enabled.client_id AND q.lease_token IS NULL
                        )
                        SELECT now() FROM enabled""")
                .params(webhookId, clientId)
                .query(OffsetDateTime.class)
                .optional();
    }

    Optional<DeliverySettings> settings(UUID webhookId, UUID clientId) {
        return jdbc.sql(
                        "SELECT max_per_second, max_in_flight FROM endpoint_health WHERE webhook_id = ? AND client_id = ?")
                .params(webhookId, clientId)
                .query(EndpointRepository::settings)
                .optional();
    }

    /** @return the settings as stored; empty when the client has no such webhook */
    Optional<DeliverySettings> saveSettings(UUID webhookId, UUID clientId, DeliverySettings settings) {
        return jdbc.sql("""
                        UPDATE endpoint_health SET max_per_second = ?, max_in_flight = ?
                        WHERE webhook_id = ? AND client_id = ?
                        RETURNING max_per_second, max_in_flight""")
                .params(settings.maxPerSecond(), settings.maxInFlight(), webhookId, clientId)
                .query(EndpointRepository::settings)
                .optional();
    }

    private static EndpointStatus status(ResultSet rs, int row) throws SQLException {
        return new EndpointStatus(
                EndpointState.valueOf(rs.getString("state")),
                rs.getObject("disabled_at", OffsetDateTime.class),
                rs.getString("reason"),
                rs.getObject("last_success_at", OffsetDateTime.class),
                rs.getObject("last_failure_at", OffsetDateTime.class),
                rs.getInt("consecutive_failures"));
    }

    private static DeliverySettings settings(ResultSet rs, int row) throws SQLException {
        return new DeliverySettings((Integer) rs.getObject("max_per_second"), (Integer) rs.getObject("max_in_flight"));
    }
}
