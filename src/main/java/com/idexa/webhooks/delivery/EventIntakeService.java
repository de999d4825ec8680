package com.idexa.webhooks.delivery;

import com.idexa.webhooks.client.ClientNotFound;
import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.InvalidRequest;
import com.idexa.webhooks.web.NoControlCharacters;
import com.idexa.webhooks.webhook.Webhook;
import com.idexa.webhooks.webhook.WebhookService;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records finished documents. Events and their deliveries are committed together before anyone is told, so an
 * acknowledged event is never lost; the same {@code eventId} from the same client is recorded once. A batch is
 * all or nothing: one invalid event refuses the whole batch, naming it. In-process callers (a message-broker
 * listener, say) use {@link #recordDocumentFinished} or {@link #recordDocumentsFinished} directly.
 */
@Service
public class EventIntakeService {

    public static final int MAX_BATCH = 1000;

    private final EventRepository events;
    private final DeliveryNotifications notifications;
    private final DeliveryMetrics metrics;
    private final JsonMapper json;

    EventIntakeService(
            EventRepository events, DeliveryNotifications notifications, DeliveryMetrics metrics, JsonMapper json) {
        this.events = events;
        this.notifications = notifications;
        this.metrics = metrics;
        this.json = json;
    }

    /**
     * @throws ClientNotFound when no client has the event's client id
     * @throws InvalidRequest when the event is not one we can deliver (type, document id)
     */
    @Transactional
    public RecordedEvent recordDocumentFinished(DocumentEvent event) {
        return record(List.of(event), false, "").get(0);
    }

    /**
     * Records up to {@value #MAX_BATCH} events at once; results come in the order of the events.
     *
     * @throws InvalidRequest naming {@code events[i]...} for any invalid event or unknown client; nothing is recorded
     */
    @Transactional
    public List<RecordedEvent> recordDocumentsFinished(List<DocumentEvent> batch) {
        if (batch.isEmpty() || batch.size() > MAX_BATCH) {
            throw new InvalidRequest("events", "events must hold 1 to " + MAX_BATCH + " events");
        }
        return record(batch, false, "events");
    }

    /** Records a test event with a sample document for the client's current webhook. */
    @Transactional
    /** @throws com.idexa.webhooks.webhook.WebhookNotFound when the client has no webhook; nothing is recorded */
    RecordedEvent recordTestEvent(UUID clientId, ObjectNode sampleDocument) {
        RecordedEvent recorded = record(
                        List.of(new DocumentEvent(null, clientId, Webhook.TYPE_DOCUMENT_FINISHED, sampleDocument)),
                        true,
                        "")
                .get(0);
        if (recorded.deliveryId() == null) {
            throw WebhookService.noWebhook(); // rolls the test event back
        }
        return recorded;
    }

    private List<RecordedEvent> record(List<DocumentEvent> batch, boolean test, String path) {
        List<FieldProblem> problems = new ArrayList<>();
        List<EventRepository.NewEvent> rows = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            DocumentEvent event = batch.get(i);
            String prefix = path.isEmpty() ? "" : path + "[" + i + "].";
            if (event.type() != Webhook.TYPE_DOCUMENT_FINISHED) {
                problems.add(
                        new FieldProblem(prefix + "type", "type must be 0 (Document finished), the only event type"));
            }
            checkEventId(event.eventId(), prefix, problems);
            String documentId = documentId(event.document(), prefix, problems);
            UUID id = UUID.randomUUID();
            String key = event.eventId() == null ? id.toString() : event.eventId();
            rows.add(new EventRepository.NewEvent(
                    id,
                    event.clientId(),
                    key,
                    event.type(),
                    documentId,
                    json.writeValueAsString(event.document()),
                    test));
        }
        Set<UUID> clients = new LinkedHashSet<>();
        batch.forEach(event -> clients.add(event.clientId()));
        Set<UUID> known = events.existingClients(clients);
        if (path.isEmpty() && !known.contains(batch.get(0).clientId())) {
            throw new ClientNotFound(batch.get(0).clientId());
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!known.contains(batch.get(i).clientId())) {
                problems.add(new FieldProblem(
                        path + "[" + i + "].clientId",
                        "no client has the id " + batch.get(i).clientId()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequest(problems);
        }

        Set<UUID> inserted = events.insertNew(rows);
        Map<UUID, UUID> deliveries = inserted.isEmpty()
                ? Map.of()
                : events.insertDeliveries(
                        rows.stream().filter(row -> inserted.contains(row.id())).toList());
        List<EventRepository.EventKey> replayed = rows.stream()
                .filter(row -> !inserted.contains(row.id()))
                .map(row -> new EventRepository.EventKey(row.clientId(), row.eventKey()))
                .toList();
        Map<EventRepository.EventKey, RecordedEvent> earlier =
                replayed.isEmpty() ? Map.of() : events.findByKeys(replayed);

        List<RecordedEvent> results = new ArrayList<>(rows.size());
        for (EventRepository.NewEvent row : rows) {
            results.add(
                    inserted.contains(row.id())
                            ? new RecordedEvent(row.eventKey(), deliveries.get(row.id()))
                            : earlier.get(new EventRepository.EventKey(row.clientId(), row.eventKey())));
        }
        metrics.eventsAccepted(inserted.size());
        if (!deliveries.isEmpty()) {
            notifications.deliveriesBecameDue();
        }
        return results;
    }

    private static String documentId(JsonNode document, String prefix, List<FieldProblem> problems) {
        JsonNode id = document == null ? null : document.get("id");
        if (id == null
                || !(id.isString() || id.isIntegralNumber())
                || id.asString().isBlank()) {
            problems.add(new FieldProblem(prefix + "document.id", "document.id is required: a non-blank string"));
            return null;
        }
        if (id.asString().length() > 255 || !NoControlCharacters.Validator.hasNone(id.asString())) {
            problems.add(new FieldProblem(
                    prefix + "document.id", "document.id must be at most 255 characters, without control characters"));
            return null;
        }
        return id.asString();
    }

    private static void checkEventId(String eventId, String prefix, List<FieldProblem> problems) {
        if (eventId != null
                && (eventId.isEmpty() || eventId.length() > 200 || !NoControlCharacters.Validator.hasNone(eventId))) {
            problems.add(new FieldProblem(
                    prefix + "eventId", "eventId must be 1 to 200 characters, without control characters"));
        }
    }
}
