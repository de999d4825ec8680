package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.client.ApiKeyArgumentResolver;
import com.idexa.webhooks.client.AuthenticatedClient;
import com.idexa.webhooks.delivery.DeliveryStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The client's delivery log, retries and test sends, beside {@code /document_webhooks}. */
@RestController
@Tag(name = "Deliveries", description = "The client's delivery log")
@SecurityRequirement(name = ApiKeyArgumentResolver.SECURITY_SCHEME)
@RequestMapping(
        path = {"/document_webhooks", "/api_document/document_webhooks"},
        produces = MediaType.APPLICATION_JSON_VALUE) // an unacceptable Accept is refused before anything changes
class DeliveryLogController {

    private final DeliveryLogService deliveries;

    DeliveryLogController(DeliveryLogService deliveries) {
        this.deliveries = deliveries;
    }

    /** Newest first; pass {@code nextCursor} back as {@code cursor} for the next page. */
    @Operation(
            summary = "List deliveries, newest first",
            description = "Filter by status (PENDING, SUCCEEDED, FAILED, CANCELLED, or HELD: pending while the "
                    + "webhook's endpoint is DISABLED) or documentId; page with cursor.")
    @GetMapping("/deliveries")
    DeliveryView.Page listDeliveries(
            AuthenticatedClient client,
            @RequestParam(required = false) DeliveryStatus status,
            @RequestParam(required = false) String documentId,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return deliveries.listDeliveries(client.clientId(), status, documentId, cursor, limit);
    }

    @Operation(summary = "Show a delivery with all its attempts")
    @GetMapping("/deliveries/{id}")
    DeliveryView.Detail showDelivery(AuthenticatedClient client, @PathVariable UUID id) {
        return deliveries.showDelivery(client.clientId(), id);
    }

    @Operation(summary = "Send a finished delivery again now", description = "409 while it is still PENDING.")
    @PostMapping("/deliveries/{id}/retry")
    @ResponseStatus(HttpStatus.ACCEPTED)
    DeliveryView.Accepted retryDelivery(AuthenticatedClient client, @PathVariable UUID id) {
        return deliveries.retryDelivery(client.clientId(), id);
    }

    @Operation(summary = "Send a test delivery with a sample document to the current webhook")
    @PostMapping("/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    DeliveryView.Accepted sendTestDelivery(AuthenticatedClient client) {
        return deliveries.sendTestDelivery(client.clientId());
    }
}
