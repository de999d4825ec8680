package com.idexa.webhooks.client;

import com.idexa.webhooks.web.BearerTokenInterceptor;
import com.idexa.webhooks.web.NoControlCharacters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The operator's API for clients and keys; guarded by {@code webhooks.admin-token} (see the web configuration). */
@RestController
@Tag(name = "Admin", description = "Clients and API keys; enabled by webhooks.admin-token")
@SecurityRequirement(name = BearerTokenInterceptor.ADMIN_TOKEN_SCHEME)
@RequestMapping(path = "/admin", produces = MediaType.APPLICATION_JSON_VALUE) // refused before anything changes
class AdminController {

    record CreateClientRequest(
            @NotBlank(message = "name is required")
            @NoControlCharacters(message = "name must not contain control characters")
            @Size(max = 255, message = "name must be at most 255 characters")
            String name) {}

    record CreatedClient(UUID clientId, String name, String apiKey, OffsetDateTime createdAt) {}

    record CreatedKey(UUID keyId, String apiKey, OffsetDateTime createdAt) {}

    private final ClientService clients;

    AdminController(ClientService clients) {
        this.clients = clients;
    }

    @Operation(summary = "Create a client and its first API key (shown only in this response)")
    @PostMapping("/clients")
    @ResponseStatus(HttpStatus.CREATED)
    CreatedClient createClient(@Valid @RequestBody CreateClientRequest request) {
        ClientService.IssuedKey issued = clients.registerClient(request.name().strip());
        return new CreatedClient(issued.clientId(), request.name().strip(), issued.apiKey(), issued.createdAt());
    }

    @Operation(summary = "Issue another API key for a client (shown only in this response)")
    @PostMapping("/clients/{clientId}/api_keys")
    @ResponseStatus(HttpStatus.CREATED)
    CreatedKey createApiKey(@PathVariable UUID clientId) {
        ClientService.IssuedKey issued = clients.issueApiKey(clientId);
        return new CreatedKey(issued.keyId(), issued.apiKey(), issued.createdAt());
    }

    @Operation(summary = "Revoke an API key; it stops working at once")
    @DeleteMapping("/api_keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revokeApiKey(@PathVariable UUID keyId) {
        clients.revokeApiKey(keyId);
    }
}
