package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.client.ApiKeyArgumentResolver;
import com.idexa.webhooks.client.AuthenticatedClient;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Recover what a window of time missed, beside the delivery log. */
@RestController
@Tag(name = "Deliveries", description = "The client's delivery log")
@SecurityRequirement(name = ApiKeyArgumentResolver.SECURITY_SCHEME)
@RequestMapping({"/document_webhooks", "/api_document/document_webhooks"})
class RecoveryController {

    private final DeliveryRecovery recovery;

    RecoveryController(DeliveryRecovery recovery) {
        this.recovery = recovery;
    }

    @Operation(
            summary = "Send again what a window of time missed",
            description = "FAILED deliveries created in [since, until) go back to PENDING with a fresh retry schedule; "
                    + "events recorded in that window without a delivery (the client had no webhook then) get one for "
                    + "the current webhook. Both are sent oldest first. since is at most 14 days back; a window with "
                    + "more than 10,000 deliveries to recover is refused (400): recover it in shorter windows. Exactly "
                    + "once: a second call finds nothing new; a requeued delivery is requeued again only if it has "
                    + "FAILED again since. While the endpoint is DISABLED they are HELD.")
    @ApiResponse(responseCode = "202", description = "How many deliveries were requeued and created")
    @ApiResponse(
            responseCode = "400",
            description = "A malformed or out-of-range window, or one with more than 10,000 deliveries to recover")
    @ApiResponse(responseCode = "404", description = "The client has no webhook")
    @PostMapping(path = "/deliveries/recover", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    Recovery.Result recoverDeliveries(AuthenticatedClient client, @RequestBody Recovery.Request request) {
        return recovery.recoverDeliveries(client.clientId(), request);
    }
}
