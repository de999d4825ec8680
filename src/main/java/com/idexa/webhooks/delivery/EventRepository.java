package com.idexa.webhooks.delivery;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Events and the creation of their deliveries. */
@Repository
class EventRepository {

    private final JdbcClient jdbc;

    EventRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return whether it was inserted; {@code false} when the client already sent this event key */
    boolean insertIfNew(UUID id, UUID clientId, String eventKey, int type, String documentId, String document,
            boolean test) {
        return jdbc.sql("""
                        INSERT INTO events (id, client_id, event_key, type, document_id, document, is_test)
                        VALUES (?, ?, ?, ?, ?, CAST(? AS json), ?)
                        ON CONFLICT (client_id, event_key) DO NOTHING""")
                .params(id, clientId, eventKey, type, documentId, document, test)
                .update() == 1;
    }

    /**
     * Creates the delivery if the client has a webhook of the event's type.
     *
     * @return the new delivery's id, or empty when the client has no such webhook
     */
    Optional<UUID> insertDeliveryIfWebhook(UUID deliveryId, UUID eventId, UUID clientId, int type, String documentId) {
        return jdbc.sql("""
                        INSERT INTO deliveries (id, event_id, client_id, document_id, status, next_attempt_at)
                        SELECT ?, ?, ?, ?, 'PENDING', now()
                        WHERE EXISTS (SELECT 1 FROM webhooks WHERE client_id = ? AND type = ?)
                        RETURNING id""")
                .params(deliveryId, eventId, clientId, documentId, clientId, type)
                .query(UUID.class)
                .optional();
    }

    /** The event already recorded under this key, and its (first) delivery, for an idempotent replay. */
    Optional<RecordedEvent> findByKey(UUID clientId, String eventKey) {
        return jdbc.sql("""
                        SELECT e.event_key, (SELECT d.id FROM deliveries d WHERE d.event_id = e.id
                                             ORDER BY d.created_at LIMIT 1) AS delivery_id
                        FROM events e WHERE e.client_id = ? AND e.event_key = ?""")
                .params(clientId, eventKey)
                .query((rs, row) -> new RecordedEvent(rs.getString("event_key"), rs.getObject("delivery_id", UUID.class)))
                .optional();
    }
}
