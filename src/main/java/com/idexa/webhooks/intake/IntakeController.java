package com.idexa.webhooks.intake;

import com.idexa.webhooks.client.ClientNotFound;
import com.idexa.webhooks.web.BearerTokenInterceptor;
import com.idexa.webhooks.web.InvalidRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/** The platform reports finished documents here; guarded by {@code webhooks.internal-token}. */
@RestController
@Tag(name = "Intake", description = "For the document platform; enabled by webhooks.internal-token")
@SecurityRequirement(name = BearerTokenInterceptor.INTERNAL_TOKEN_SCHEME)
@RequestMapping("/internal/document_events")
class IntakeController {

    record DocumentEventRequest(
            String eventId,

            @NotNull(message = "clientId is required") UUID clientId,
            @NotNull(message = "type is required") Integer type,
            @NotNull(message = "document is required") ObjectNode document) {

        DocumentEvent toEvent() {
            return new DocumentEvent(eventId, clientId, type, document);
        }
    }

    record BatchRequest(
            @NotNull(message = "events is required") List<@Valid @NotNull DocumentEventRequest> events) {}

    record BatchResult(List<RecordedEvent> results) {}

    private final EventIntakeService intake;

    IntakeController(EventIntakeService intake) {
        this.intake = intake;
    }

    /** 202 once the event and its delivery are committed; the same body again for a repeated {@code eventId}. */
    @Operation(
            summary = "Record a finished document and schedule its delivery",
            description =
                    "202 once committed. Idempotent per (clientId, eventId). deliveryId is null when the client has no webhook.")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    RecordedEvent recordDocumentEvent(@Valid @RequestBody DocumentEventRequest request) {
        return answer(() -> intake.recordDocumentFinished(request.toEvent()));
    }

    /** Up to 1,000 events in one transaction: all recorded, or none; results in the order of the events. */
    @Operation(
            summary = "Record a batch of finished documents",
            description = "Up to 1000 events, each as in the single call, in one transaction: all or none. "
                    + "Results come in the order of the events; a repeated eventId gets its first result.")
    @PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    BatchResult recordDocumentEvents(@Valid @RequestBody BatchRequest request) {
        return new BatchResult(answer(() -> intake.recordDocumentsFinished(
                request.events().stream().map(DocumentEventRequest::toEvent).toList())));
    }

    /** Intake's refusals, as the HTTP API words them: 400 naming each field, 404 for an unknown client. */
    private static <T> T answer(Supplier<T> call) {
        try {
            return call.get();
        } catch (InvalidEvent e) {
            throw new InvalidRequest(e.problems());
        } catch (UnknownClient e) {
            throw new ClientNotFound(e.clientId());
        }
    }
}
