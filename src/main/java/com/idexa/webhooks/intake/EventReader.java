package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.StrictInteger;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads intake bodies, one event or a batch, from their bytes: the envelope is bound and validated as any request
 * body, and each {@code document} is kept as the exact bytes the platform sent ({@link RawDocument}). Whatever
 * carries events in (HTTP today, a broker tomorrow) reads them here.
 */
@Component
public class EventReader {

    /** One event on the wire. */
    record DocumentEventRequest(
            String eventId,

            @NotNull(message = "clientId is required") UUID clientId,

            @JsonDeserialize(using = StrictInteger.class) @NotNull(message = "type is required")
            Integer type,

            @NotNull(message = "document is required") RawDocument document) {

        DocumentEvent toEvent(String defaultEventId) {
            return new DocumentEvent(eventId == null ? defaultEventId : eventId, clientId, type, document.json());
        }
    }

    /** A batch on the wire. */
    record BatchRequest(
            @NotNull(message = "events is required") List<@Valid @NotNull DocumentEventRequest> events) {}

    private final ObjectReader single;
    private final ObjectReader batch;
    private final Validator validator;

    EventReader(JsonMapper json, Validator validator) {
        this.single = json.readerFor(DocumentEventRequest.class);
        this.batch = json.readerFor(BatchRequest.class);
        this.validator = validator;
    }

    /**
     * One event from its bytes, as the single HTTP call reads it; for carriers other than HTTP (a broker record).
     *
     * @param eventIdIfMissing the eventId when the event has none
     * @throws JacksonException when the bytes are not JSON of the expected shape
     * @throws InvalidEvent naming each field that breaks a rule
     */
    public DocumentEvent read(byte[] body, String eventIdIfMissing) {
        return readEvent(body).toEvent(eventIdIfMissing);
    }

    /**
     * @throws JacksonException when the body is not JSON of the expected shape
     * @throws InvalidEvent naming each field that breaks a rule
     */
    DocumentEventRequest readEvent(byte[] body) {
        return valid(single.withAttribute(RawDocument.SOURCE, body).readValue(body));
    }

    /**
     * @throws JacksonException when the body is not JSON of the expected shape
     * @throws InvalidEvent naming each field that breaks a rule ({@code events[3].clientId})
     */
    BatchRequest readBatch(byte[] body) {
        return valid(batch.withAttribute(RawDocument.SOURCE, body).readValue(body));
    }

    private <T> T valid(T request) {
        if (request == null) {
            throw new InvalidEvent(List.of(new FieldProblem("body", "a JSON object is required")));
        }
        Set<ConstraintViolation<T>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw new InvalidEvent(violations.stream()
                    .map(violation ->
                            new FieldProblem(violation.getPropertyPath().toString(), violation.getMessage()))
                    .sorted(Comparator.comparing(FieldProblem::field))
                    .toList());
        }
        return request;
    }
}
