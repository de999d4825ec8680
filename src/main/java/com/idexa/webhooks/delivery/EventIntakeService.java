package com.idexa.webhooks.delivery;

import com.idexa.webhooks.client.ClientNotFound;
import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.web.InvalidRequest;
import com.idexa.webhooks.webhook.Webhook;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records finished documents. An event and its delivery are committed together before anyone is told, so an
 * acknowledged event is never lost; the same {@code eventId} from the same client is recorded once.
 * In-process callers (a message-broker listener, say) use {@link #recordDocumentFinished} directly.
 */
@Service
public class EventIntakeService {

    private final EventRepository events;
    private final ClientService clients;
    private final DeliveryNotifications notifications;
    private final DeliveryMetrics metrics;
    private final JsonMapper json;

    EventIntakeService(EventRepository events, ClientService clients, DeliveryNotifications notifications,
            DeliveryMetrics metrics, JsonMapper json) {
        this.events = events;
        this.clients = clients;
        this.notifications = notifications;
        this.metrics = metrics;
        this.json = json;
    }

    /**
     * @throws ClientNotFound when no client has the event's client id
     * @throws InvalidRequest when the document has no usable id
     */
    @Transactional
    public RecordedEvent recordDocumentFinished(DocumentEvent event) {
        RecordedEvent recorded = record(event, false);
        if (recorded.deliveryId() != null) {
            notifications.deliveriesBecameDue();
        }
        return recorded;
    }

    /** Records a test event with a sample document for the client's current webhook. */
    @Transactional
    RecordedEvent recordTestEvent(UUID clientId, tools.jackson.databind.node.ObjectNode sampleDocument) {
        RecordedEvent recorded = record(new DocumentEvent(null, clientId, 0, sampleDocument), true);
        if (recorded.deliveryId() != null) {
            notifications.deliveriesBecameDue();
        }
        return recorded;
    }

    private RecordedEvent record(DocumentEvent event, boolean test) {
        if (event.type() != Webhook.TYPE_DOCUMENT_FINISHED) {
            throw new InvalidRequest("type", "type must be 0 (Document finished), the only event type");
        }
        String documentId = documentId(event.document());
        if (!clients.clientExists(event.clientId())) {
            throw new ClientNotFound(event.clientId());
        }
        UUID id = UUID.randomUUID();
        String key = event.eventId() == null ? id.toString() : event.eventId();
        if (!events.insertIfNew(id, event.clientId(), key, event.type(), documentId,
                json.writeValueAsString(event.document()), test)) {
            return events.findByKey(event.clientId(), key).orElseThrow();
        }
        metrics.eventsAccepted(1);
        Optional<UUID> delivery = events.insertDeliveryIfWebhook(UUID.randomUUID(), id, event.clientId(),
                event.type(), documentId);
        return new RecordedEvent(key, delivery.orElse(null));
    }

    private static String documentId(JsonNode document) {
        JsonNode id = document == null ? null : document.get("id");
        if (id == null || !(id.isString() || id.isIntegralNumber()) || id.asString().isBlank()) {
            throw new InvalidRequest("document.id", "document.id is required: a non-blank string");
        }
        if (id.asString().length() > 255) {
            throw new InvalidRequest("document.id", "document.id must be at most 255 characters");
        }
        return id.asString();
    }
}
