package com.idexa.webhooks.intake;

import com.idexa.webhooks.delivery.DeliveryNotifications;
import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.webhook.Webhook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionAspectSupport;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records finished documents. Events and their deliveries are committed together before anyone is told, so an
 * acknowledged event is never lost; the same {@code eventId} from the same client is recorded once, and refused
 * ({@link EventIdReused}) when it comes with another event. A batch is
 * all or nothing: one invalid event refuses the whole batch, naming it. In-process callers (a message-broker
 * listener, say) use {@link #recordDocumentFinished} or {@link #recordDocumentsFinished} directly.
 */
@Service
public class EventIntakeService {

    public static final int MAX_BATCH = 1000;

    private final EventRepository events;
    private final DeliveryNotifications notifications;
    private final Counter eventsAccepted;
    private final JsonMapper json;
    private final ObjectReader exactNumbers;

    /** Numbers by their value ({@code 20}, {@code 20.0} and {@code 2e1} alike), read exactly; anything else equal. */
    private static final Comparator<JsonNode> SAME_VALUE =
            (a, b) -> a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    EventIntakeService(
            EventRepository events, DeliveryNotifications notifications, MeterRegistry registry, JsonMapper json) {
        this.events = events;
        this.notifications = notifications;
        this.eventsAccepted = Counter.builder("webhook.events.accepted")
                .description("Document events recorded by intake")
                .register(registry);
        this.json = json;
        this.exactNumbers = json.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /**
     * @throws UnknownClient when no client has the event's client id
     * @throws InvalidEvent when the event is not one we can deliver (type, eventId, document id)
     */
    @Transactional
    public RecordedEvent recordDocumentFinished(DocumentEvent event) {
        return record(List.of(event), false, "", true).get(0);
    }

    /**
     * Records up to {@value #MAX_BATCH} events at once; results come in the order of the events. Waits while
     * another transaction records one of their keys (as {@link #recordDocumentFinished} does).
     *
     * @throws InvalidEvent naming {@code events[i]...} for any invalid event or unknown client; nothing is recorded
     */
    @Transactional
    public List<RecordedEvent> recordDocumentsFinished(List<DocumentEvent> batch) {
        return record(checkedSize(batch), false, "events", true);
    }

    /**
     * As {@link #recordDocumentsFinished}, for a caller that must not wait ({@link GroupCommit}): when another
     * transaction is recording one of these events' keys, throws {@link KeysBusy} naming them, and records nothing.
     */
    @Transactional
    public List<RecordedEvent> recordDocumentsFinishedWithoutWaiting(List<DocumentEvent> batch) {
        return record(checkedSize(batch), false, "events", false);
    }

    private static List<DocumentEvent> checkedSize(List<DocumentEvent> batch) {
        if (batch.isEmpty() || batch.size() > MAX_BATCH) {
            throw new InvalidEvent(
                    List.of(new FieldProblem("events", "events must hold 1 to " + MAX_BATCH + " events")));
        }
        return batch;
    }

    /**
     * Records a test event with a sample document for the client's current webhook.
     *
     * @return the recorded event, or empty when the client has no webhook (then nothing is recorded)
     */
    @Transactional
    public Optional<RecordedEvent> recordTestEvent(UUID clientId, ObjectNode sampleDocument) {
        RecordedEvent recorded = record(
                        List.of(new DocumentEvent(
                                null,
                                clientId,
                                Webhook.TYPE_DOCUMENT_FINISHED,
                                json.writeValueAsString(sampleDocument))),
                        true,
                        "",
                        true)
                .get(0);
        if (recorded.deliveryId() == null) {
            TransactionAspectSupport.currentTransactionStatus().setRollbackOnly(); // no test event without a webhook
            return Optional.empty();
        }
        return Optional.of(recorded);
    }

    /**
     * A replay carries the event recorded first: the same type and the same document, as written (the usual
     * replay, which costs no parsing) or as JSON, names in any order and any spacing, numbers compared by their
     * exact value ({@code 20} and {@code 20.0} are one; read as doubles, {@code 20.0} and {@code 19.9999999999999999}
     * were); a number no exact decimal holds ({@code 1e2147483648}) only as written. The first one is what the
     * client receives.
     */
    private boolean sameEvent(EventRepository.EarlierEvent first, EventRepository.NewEvent replay) {
        if (first.type() != replay.type()) {
            return false;
        }
        if (first.document().equals(replay.document())) {
            return true;
        }
        try {
            return exactNumbers.readTree(first.document()).equals(SAME_VALUE, exactNumbers.readTree(replay.document()));
        } catch (NumberFormatException beyondExactDecimals) { // an exponent past 2^31: compared as written, above
            return false;
        }
    }

    private List<RecordedEvent> record(List<DocumentEvent> batch, boolean test, String path, boolean waitForKeys) {
        List<FieldProblem> problems = new ArrayList<>();
        List<EventRepository.NewEvent> rows = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            DocumentEvent event = batch.get(i);
            String prefix = path.isEmpty() ? "" : path + "[" + i + "].";
            String documentId = EventValidator.check(json, event, prefix, problems);
            UUID id = UUID.randomUUID();
            String key = event.eventId() == null ? id.toString() : event.eventId();
            rows.add(new EventRepository.NewEvent(
                    id, event.clientId(), key, event.type(), documentId, event.document(), test));
        }
        Set<UUID> clients = new LinkedHashSet<>();
        batch.forEach(event -> clients.add(event.clientId()));
        events.planByIndex();
        Set<UUID> known = events.existingClients(clients);
        if (path.isEmpty() && !known.contains(batch.get(0).clientId())) {
            throw new UnknownClient(batch.get(0).clientId());
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!known.contains(batch.get(i).clientId())) {
                problems.add(new FieldProblem(
                        path + "[" + i + "].clientId",
                        "no client has the id " + batch.get(i).clientId()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidEvent(problems);
        }

        Set<UUID> inserted = events.insertNew(rows, waitForKeys);
        Map<UUID, UUID> deliveries = inserted.isEmpty()
                ? Map.of()
                : events.insertDeliveries(
                        rows.stream().filter(row -> inserted.contains(row.id())).toList());
        List<EventRepository.EventKey> replayed = rows.stream()
                .filter(row -> !inserted.contains(row.id()))
                .map(row -> new EventRepository.EventKey(row.clientId(), row.eventKey()))
                .toList();
        Map<EventRepository.EventKey, EventRepository.EarlierEvent> earlier =
                replayed.isEmpty() ? Map.of() : events.findByKeys(replayed);

        List<RecordedEvent> results = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            EventRepository.NewEvent row = rows.get(i);
            if (inserted.contains(row.id())) {
                results.add(new RecordedEvent(row.eventKey(), deliveries.get(row.id())));
                continue;
            }
            EventRepository.EarlierEvent first =
                    earlier.get(new EventRepository.EventKey(row.clientId(), row.eventKey()));
            if (first == null) { // its day's history was dropped meanwhile: nothing left to compare or answer
                results.add(new RecordedEvent(row.eventKey(), null));
                continue;
            }
            if (!sameEvent(first, row)) {
                problems.add(new FieldProblem(
                        (path.isEmpty() ? "" : path + "[" + i + "].") + "eventId",
                        "was recorded before with another document or type"
                                + (path.isEmpty() ? "" : " (earlier in this batch, or before it)")
                                + "; an eventId names one event: give this one its own"));
            }
            results.add(first.answer());
        }
        if (!problems.isEmpty()) {
            throw new EventIdReused(problems); // rolls back the transaction: nothing of the request is recorded
        }
        eventsAccepted.increment(inserted.size());
        if (!deliveries.isEmpty()) {
            notifications.deliveriesBecameDue(rows.stream()
                    .filter(row -> deliveries.containsKey(row.id()))
                    .map(EventRepository.NewEvent::clientId)
                    .collect(Collectors.toSet()));
        }
        return results;
    }
}
