package com.idexa.webhooks.delivery;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Events and the creation of their deliveries, a whole batch per statement: recording a thousand events costs
 * the same few round trips as recording one.
 */
@Repository
class EventRepository {

    /** An event ready to insert; {@code eventKey} is the platform's eventId or the event's own id. */
    record NewEvent(
            UUID id, UUID clientId, String eventKey, int type, String documentId, String document, boolean test) {}

    /** Which client sent which key: how an event is found again. */
    record EventKey(UUID clientId, String eventKey) {}

    private static final String INSERT_EVENTS = """
            INSERT INTO events (id, client_id, event_key, type, document_id, document, is_test)
            SELECT id, client_id, event_key, type, document_id, CAST(document AS json), is_test
            FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::int[], ?::text[], ?::text[], ?::boolean[])
                AS new (id, client_id, event_key, type, document_id, document, is_test)
            ON CONFLICT (client_id, event_key) DO NOTHING
            RETURNING id""";

    /** A delivery for each new event whose client has a webhook of the event's type. */
    private static final String INSERT_DELIVERIES = """
            INSERT INTO deliveries (id, event_id, client_id, document_id, status, next_attempt_at)
            SELECT gen_random_uuid(), n.event_id, n.client_id, n.document_id, 'PENDING', now()
            FROM unnest(CAST(:events AS uuid[]), CAST(:clients AS uuid[]), CAST(:documents AS text[]),
                        CAST(:types AS int[])) AS n (event_id, client_id, document_id, type)
            WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.client_id = n.client_id AND w.type = n.type)
            RETURNING event_id, id""";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    EventRepository(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    Set<UUID> existingClients(Collection<UUID> clientIds) {
        return Set.copyOf(
                jdbc.sql("SELECT c.id FROM unnest(CAST(:ids AS uuid[])) AS k (id) JOIN clients c ON c.id = k.id")
                        .param("ids", PgArrays.literal(clientIds))
                        .query(UUID.class)
                        .list());
    }

    /** @return the ids of the events inserted; an event whose key the client already sent is not */
    Set<UUID> insertNew(List<NewEvent> events) {
        return Set.copyOf(template.execute((Connection connection) -> {
            try (PreparedStatement statement = connection.prepareStatement(INSERT_EVENTS)) {
                statement.setArray(
                        1,
                        array(
                                connection,
                                "uuid",
                                events.stream().map(NewEvent::id).toArray()));
                statement.setArray(
                        2,
                        array(
                                connection,
                                "uuid",
                                events.stream().map(NewEvent::clientId).toArray()));
                statement.setArray(
                        3,
                        array(
                                connection,
                                "text",
                                events.stream().map(NewEvent::eventKey).toArray()));
                statement.setArray(
                        4,
                        array(
                                connection,
                                "int4",
                                events.stream().map(NewEvent::type).toArray()));
                statement.setArray(
                        5,
                        array(
                                connection,
                                "text",
                                events.stream().map(NewEvent::documentId).toArray()));
                statement.setArray(
                        6,
                        array(
                                connection,
                                "text",
                                events.stream().map(NewEvent::document).toArray()));
                statement.setArray(
                        7,
                        array(
                                connection,
                                "bool",
                                events.stream().map(NewEvent::test).toArray()));
                return readUuids(statement.executeQuery(), 1);
            }
        }));
    }

    /** @return the new delivery of each event that got one, by event id */
    Map<UUID, UUID> insertDeliveries(Collection<NewEvent> inserted) {
        Map<UUID, UUID> deliveries = new HashMap<>();
        jdbc.sql(INSERT_DELIVERIES)
                .param(
                        "events",
                        PgArrays.literal(inserted.stream().map(NewEvent::id).toList()))
                .param(
                        "clients",
                        PgArrays.literal(
                                inserted.stream().map(NewEvent::clientId).toList()))
                .param(
                        "documents",
                        PgArrays.literal(
                                inserted.stream().map(NewEvent::documentId).toList()))
                .param(
                        "types",
                        PgArrays.literal(inserted.stream().map(NewEvent::type).toList()))
                .query(rs -> {
                    deliveries.put(rs.getObject("event_id", UUID.class), rs.getObject("id", UUID.class));
                });
        return deliveries;
    }

    /** Events already recorded under these keys, with their first delivery, for idempotent replays. */
    Map<EventKey, RecordedEvent> findByKeys(Collection<EventKey> keys) {
        Map<EventKey, RecordedEvent> found = new HashMap<>();
        jdbc.sql("""
                        SELECT e.client_id, e.event_key,
                               (SELECT d.id FROM deliveries d WHERE d.event_id = e.id ORDER BY d.created_at LIMIT 1) AS delivery_id
                        FROM events e
                        JOIN unnest(CAST(:clients AS uuid[]), CAST(:keys AS text[])) AS k (client_id, event_key)
                          ON e.client_id = k.client_id AND e.event_key = k.event_key""")
                .param(
                        "clients",
                        PgArrays.literal(keys.stream()
                                .map(EventRepository.EventKey::clientId)
                                .toList()))
                .param(
                        "keys",
                        PgArrays.literal(keys.stream().map(EventKey::eventKey).toList()))
                .query(rs -> {
                    found.put(
                            new EventKey(rs.getObject("client_id", UUID.class), rs.getString("event_key")),
                            new RecordedEvent(rs.getString("event_key"), rs.getObject("delivery_id", UUID.class)));
                });
        return found;
    }

    private static Array array(Connection connection, String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }

    private static List<UUID> readUuids(ResultSet rs, int column) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                ids.add(rs.getObject(column, UUID.class));
            }
        }
        return ids;
    }
}
