package com.idexa.webhooks.intake;

import com.idexa.webhooks.client.ClientNotFound;
import com.idexa.webhooks.web.BearerTokenInterceptor;
import com.idexa.webhooks.web.InvalidRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;

/** The platform reports finished documents here; guarded by {@code webhooks.internal-token}. */
@RestController
@Tag(name = "Intake", description = "For the document platform; enabled by webhooks.internal-token")
@SecurityRequirement(name = BearerTokenInterceptor.INTERNAL_TOKEN_SCHEME)
@RequestMapping(
        path = "/internal/document_events",
        produces = MediaType.APPLICATION_JSON_VALUE) // refused before anything changes
class IntakeController {

    record BatchResult(List<RecordedEvent> results) {}

    /** A retried call without an eventId stays idempotent when the platform sends this header. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final EventIntakeService intake;
    private final GroupCommit groupCommit;
    private final EventReader reader;

    IntakeController(EventIntakeService intake, GroupCommit groupCommit, EventReader reader) {
        this.intake = intake;
        this.groupCommit = groupCommit;
        this.reader = reader;
    }

    /**
     * 202 once the event and its delivery are committed; the same body again for a repeated {@code eventId} with the
     * same event, 409 with another.
     */
    @Operation(
            summary = "Record a finished document and schedule its delivery",
            description =
                    "202 once committed. Idempotent per (clientId, eventId). deliveryId is null when the client has no webhook.")
    @ApiResponse(responseCode = "409", description = "The eventId was recorded before with another type or document")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    RecordedEvent recordDocumentEvent(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content =
                                    @Content(schema = @Schema(implementation = EventReader.DocumentEventRequest.class)))
                    @RequestBody
                    byte[] body,
            @Parameter(description = "Used as the eventId when the body has none: a retry is then recorded once")
                    @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
                    String idempotencyKey,
            HttpServletRequest request) {
        return answer(request, () -> groupCommit.record(reader.readEvent(body).toEvent(idempotencyKey)));
    }

    /** Up to 1,000 events in one transaction: all recorded, or none; results in the order of the events. */
    @Operation(
            summary = "Record a batch of finished documents",
            description = "Up to 1000 events, each as in the single call, in one transaction: all or none. "
                    + "Results come in the order of the events; a repeated eventId gets its first result.")
    @ApiResponse(
            responseCode = "409",
            description = "An eventId was recorded before, or given twice in the batch, with another type or document")
    @PostMapping(path = "/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    BatchResult recordDocumentEvents(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(schema = @Schema(implementation = EventReader.BatchRequest.class)))
                    @RequestBody
                    byte[] body,
            @Parameter(description = "Not for batches: give every event its own eventId")
                    @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
                    String idempotencyKey,
            HttpServletRequest request) {
        if (idempotencyKey != null) {
            throw new InvalidRequest(
                    IDEMPOTENCY_KEY,
                    "Idempotency-Key applies to the single call; in a batch, give every event its own eventId");
        }
        return new BatchResult(answer(
                request,
                () -> intake.recordDocumentsFinished(reader.readBatch(body).events().stream()
                        .map(event -> event.toEvent(null))
                        .toList())));
    }

    /**
     * Intake's refusals, as the HTTP API words them: 400 naming each field, 409 for an eventId used for another
     * event, 404 for an unknown client.
     */
    private static <T> T answer(HttpServletRequest request, Supplier<T> call) {
        try {
            return call.get();
        } catch (JacksonException e) {
            throw new HttpMessageNotReadableException(e.getOriginalMessage(), e, new ServletServerHttpRequest(request));
        } catch (EventIdReused e) {
            throw new EventIdConflict(e);
        } catch (InvalidEvent e) {
            throw new InvalidRequest(e.problems());
        } catch (UnknownClient e) {
            throw new ClientNotFound(e.clientId());
        }
    }
}
