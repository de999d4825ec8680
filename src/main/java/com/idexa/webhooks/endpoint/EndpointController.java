package com.idexa.webhooks.endpoint;

import com.idexa.webhooks.client.ApiKeyArgumentResolver;
import com.idexa.webhooks.client.AuthenticatedClient;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A webhook's endpoint state and delivery settings, beside {@code /document_webhooks/{id}} (the webhook object
 * itself is unchanged); under the older edition's {@code /api_document} prefix too.
 */
@RestController
@Tag(name = "Endpoint health", description = "A webhook's endpoint: disabled when dead, enabled again, throttled")
@SecurityRequirement(name = ApiKeyArgumentResolver.SECURITY_SCHEME)
@RequestMapping({"/document_webhooks", "/api_document/document_webhooks"})
class EndpointController {

    private final EndpointService endpoints;

    EndpointController(EndpointService endpoints) {
        this.endpoints = endpoints;
    }

    @Operation(
            summary = "Show whether the webhook's endpoint is ACTIVE or DISABLED, and why",
            description = "An endpoint is DISABLED after webhooks.endpoint.disable-after (default 5 days) without a "
                    + "successful attempt and with at least webhooks.endpoint.disable-min-failures failed ones, or at "
                    + "once when it answers 410 Gone. While DISABLED, deliveries are created but HELD (not attempted, "
                    + "no retries spent) until the endpoint is enabled.")
    @ApiResponse(responseCode = "200", description = "The endpoint's state")
    @ApiResponse(responseCode = "404", description = "The client has no webhook with this id")
    @GetMapping("/{id}/status")
    EndpointStatus endpointStatus(AuthenticatedClient client, @PathVariable UUID id) {
        return endpoints.endpointStatus(client.clientId(), id);
    }

    @Operation(
            summary = "Enable a disabled endpoint",
            description = "The endpoint is ACTIVE again with no failures counted, and its HELD deliveries become due "
                    + "at once, oldest first, within the client's limits. Enabling an ACTIVE endpoint changes nothing.")
    @ApiResponse(responseCode = "200", description = "The endpoint's state after enabling it")
    @ApiResponse(responseCode = "404", description = "The client has no webhook with this id")
    @PostMapping("/{id}/enable")
    EndpointStatus enableEndpoint(AuthenticatedClient client, @PathVariable UUID id) {
        return endpoints.enableEndpoint(client.clientId(), id);
    }

    @Operation(summary = "Show the webhook's delivery settings (null: no limit of its own)")
    @ApiResponse(responseCode = "404", description = "The client has no webhook with this id")
    @GetMapping("/{id}/delivery_settings")
    DeliverySettings deliverySettings(AuthenticatedClient client, @PathVariable UUID id) {
        return endpoints.deliverySettings(client.clientId(), id);
    }

    @Operation(
            summary = "Bound what the webhook receives",
            description = "maxPerSecond (1-1000) caps attempts started per second; maxInFlight (1 to the server's "
                    + "per-client cap) caps attempts in flight at once. Each instance of the service enforces them on "
                    + "its own. maxInFlight 1 sends first attempts one at a time, oldest event first; a retry waits "
                    + "its turn by its scheduled time, so retries can arrive after newer deliveries. Takes effect "
                    + "within a second.")
    @ApiResponse(responseCode = "200", description = "The settings, as stored")
    @ApiResponse(responseCode = "400", description = "A value out of range, of the wrong type, or an unknown field")
    @ApiResponse(responseCode = "404", description = "The client has no webhook with this id")
    @PutMapping(value = "/{id}/delivery_settings", consumes = MediaType.APPLICATION_JSON_VALUE)
    DeliverySettings changeDeliverySettings(
            AuthenticatedClient client, @PathVariable UUID id, @RequestBody DeliverySettings settings) {
        return endpoints.changeDeliverySettings(client.clientId(), id, settings);
    }
}
