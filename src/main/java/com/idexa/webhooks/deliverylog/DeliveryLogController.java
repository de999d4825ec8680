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
                    + "webhook's endpoint is DISABLED), documentId, or before (deliveries created before this "
                    + "ISO-8601 time, e.g. 2026-11-29T20:00:00Z); page with cursor.")
    @GetMapping("/deliveries")
    DeliveryView.Page listDeliveries(
            AuthenticatedClient client,
            @RequestParam(required = false) DeliveryStatus status,
            @RequestParam(required = false) String documentId,
            @RequestParam(required = false) String before,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return deliveries.listDeliveries(client.clientId(), status, documentId, before, cursor, limit);
    }

    @Operation(
            summary = "Deliveries and attempts per hour, for the last 24 hours",
            description = "hours: 24 entries, oldest first, each the hour's start; deliveries counted by their status "
                    + "now, by the hour they were created; attempts by the hour they were made, with their p50 and "
                    + "p95 duration (null without attempts). Attempts of deliveries created more than 48 hours "
                    + "before are not counted.")
    @GetMapping("/deliveries/stats")
    DeliveryView.Stats deliveryStats(AuthenticatedClient client) {
        return deliveries.stats(client.clientId());
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
