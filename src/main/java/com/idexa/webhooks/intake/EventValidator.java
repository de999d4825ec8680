package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.NoControlCharacters;
import com.idexa.webhooks.webhook.Webhook;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rules an event must meet before it is recorded, the same for HTTP and in-process callers: the only event
 * type, an {@code eventId} PostgreSQL can store, and a {@code document.id} that can stand in a URL path.
 */
final class EventValidator {

    static final int MAX_EVENT_ID = DocumentEvent.MAX_EVENT_ID;
    static final int MAX_DOCUMENT_ID = 255;

    private EventValidator() {}

    /**
     * Adds a problem for each broken rule, each field prefixed with {@code prefix} ({@code events[3].}).
     *
     * @return the document id, or {@code null} when it is missing or invalid
     */
    static String check(JsonMapper json, DocumentEvent event, String prefix, List<FieldProblem> problems) {
        if (event.type() != Webhook.TYPE_DOCUMENT_FINISHED) {
            problems.add(new FieldProblem(prefix + "type", "type must be 0 (Document finished), the only event type"));
        }
        checkEventId(event.eventId(), prefix, problems);
        return documentId(json, event.document(), prefix, problems);
    }

    private static void checkEventId(String eventId, String prefix, List<FieldProblem> problems) {
        if (eventId != null
                && (eventId.isBlank() // "   " would make every such event one replay of the first
                        || eventId.length() > MAX_EVENT_ID
                        || !NoControlCharacters.Validator.hasNone(eventId))) {
            problems.add(new FieldProblem(
                    prefix + "eventId",
                    "eventId must be 1 to " + MAX_EVENT_ID
                            + " characters, not only spaces, without control characters"));
        }
    }

    private static String documentId(JsonMapper json, String document, String prefix, List<FieldProblem> problems) {
        if (document == null) {
            problems.add(new FieldProblem(prefix + "document", "document is required"));
            return null;
        }
        JsonNode id;
        try {
            id = topLevelId(json, document);
        } catch (JacksonException e) {
            problems.add(new FieldProblem(prefix + "document", "document must be one JSON object"));
            return null;
        }
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

    /**
     * The document's top-level {@code id}, read without building a tree of the rest (whose numbers must never be
     * parsed into doubles).
     *
     * @throws JacksonException when the text is not exactly one JSON object
     */
    private static JsonNode topLevelId(JsonMapper json, String document) {
        try (JsonParser parser = json.createParser(document)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new StreamReadException(parser, "not an object");
            }
            JsonNode id = null;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("id")) {
                    id = parser.readValueAsTree();
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw new StreamReadException(parser, "content after the object");
            }
            return id;
        }
    }
}
