package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.NoControlCharacters;
import com.idexa.webhooks.webhook.Webhook;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The rules an event must meet before it is recorded, the same for HTTP and in-process callers: the only event
 * type, an {@code eventId} PostgreSQL can store, and a {@code document.id} that can stand in a URL path.
 */
final class EventValidator {

    static final int MAX_EVENT_ID = 200;
    static final int MAX_DOCUMENT_ID = 255;

    private EventValidator() {}

    /**
     * Adds a problem for each broken rule, each field prefixed with {@code prefix} ({@code events[3].}).
     *
     * @return the document id, or {@code null} when it is missing or invalid
     */
    static String check(DocumentEvent event, String prefix, List<FieldProblem> problems) {
        if (event.type() != Webhook.TYPE_DOCUMENT_FINISHED) {
            problems.add(new FieldProblem(prefix + "type", "type must be 0 (Document finished), the only event type"));
        }
        checkEventId(event.eventId(), prefix, problems);
        return documentId(event.document(), prefix, problems);
    }

    private static void checkEventId(String eventId, String prefix, List<FieldProblem> problems) {
        if (eventId != null
                && (eventId.isEmpty()
                        || eventId.length() > MAX_EVENT_ID
                        || !NoControlCharacters.Validator.hasNone(eventId))) {
            problems.add(new FieldProblem(
                    prefix + "eventId",
                    "eventId must be 1 to " + MAX_EVENT_ID + " characters, without control characters"));
        }
    }

    private static String documentId(JsonNode document, String prefix, List<FieldProblem> problems) {
        JsonNode id = document == null ? null : document.get("id");
        if (id == null
                || !(id.isString() || id.isIntegralNumber())
                || id.asString().isBlank()) {
            problems.add(new FieldProblem(prefix + "document.id", "document.id is required: a non-blank string"));
            return null;
        }
        if (id.asString().length() > MAX_DOCUMENT_ID || !NoControlCharacters.Validator.hasNone(id.asString())) {
            problems.add(new FieldProblem(
                    prefix + "document.id",
                    "document.id must be at most " + MAX_DOCUMENT_ID + " characters, without control characters"));
            return null;
        }
        return id.asString();
    }
}
