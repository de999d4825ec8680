package com.idexa.webhooks.webhook;

import com.idexa.webhooks.client.ApiKeyArgumentResolver;
import com.idexa.webhooks.client.AuthenticatedClient;
import com.idexa.webhooks.config.WebhooksProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /document_webhooks}, as the Idexa documentation describes it; the older edition's
 * {@code /api_document/document_webhooks} is served too.
 */
@RestController
@Tag(name = "Webhooks", description = "A client's one webhook")
@SecurityRequirement(name = ApiKeyArgumentResolver.SECURITY_SCHEME)
@RequestMapping(
        path = {"/document_webhooks", "/api_document/document_webhooks"},
        produces = MediaType.APPLICATION_JSON_VALUE) // an unacceptable Accept is refused before anything changes
class WebhookController {

    private final WebhookService webhooks;
    private final boolean asymmetricSignatures;

    WebhookController(WebhookService webhooks, WebhooksProperties properties) {
        this.webhooks = webhooks;
        this.asymmetricSignatures = properties.signing().asymmetric();
    }

    static final String DOCS_EXAMPLE = """
            {"name": "Webhook 1", "type": 0, "method": "POST", "headers": {"Content-Type": "application/json"},
             "headerAuth": "Bearer", "url": "http://localhost:5000/ocr_feedback/:id",
             "authorizationUrl": "http://localhost:5000/login", "authorizationMethod": "POST",
             "authorizationHeaders": {"Content-Type": "application/x-www-form-urlencoded"},
             "authorizationBody": {"username": "root", "password": "root"},
             "authorizationResponseTokenAttr": "access_token"}""";

    /** Answers 200, not 201: the documentation says so. */
    @Operation(
            summary = "Register the client's webhook",
            description =
                    "A client has one webhook; to change it, replace it with PUT /document_webhooks/{id}. The url "
                            + "must contain :id, where the document id is placed. Credentials are returned masked; authorizationBody never.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content =
                                    @Content(
                                            schema = @Schema(implementation = WebhookRequest.class),
                                            examples =
                                                    @ExampleObject(
                                                            name = "Idexa documentation example",
                                                            value = DOCS_EXAMPLE))))
    @ApiResponse(responseCode = "200", description = "The webhook, as stored")
    @ApiResponse(responseCode = "409", description = "The client already has a webhook; its id is in existingWebhookId")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    WebhookResponse createWebhook(AuthenticatedClient client, @RequestBody WebhookRequest request) {
        return WebhookResponse.of(webhooks.registerWebhook(client.clientId(), request));
    }

    @Operation(summary = "Show the client's webhook")
    @GetMapping
    WebhookResponse currentWebhook(AuthenticatedClient client) {
        return WebhookResponse.of(webhooks.currentWebhook(client.clientId()).orElseThrow(WebhookService::noWebhook));
    }

    @Operation(summary = "Show the webhook with this id (404 for another client's)")
    @GetMapping("/{id}")
    WebhookResponse showWebhook(AuthenticatedClient client, @PathVariable UUID id) {
        return WebhookResponse.of(webhooks.showWebhook(client.clientId(), id));
    }

    @Operation(
            summary = "Replace the webhook's configuration",
            description = "The same body and rules as POST. The change is atomic: deliveries pending or made from now "
                    + "on follow the new configuration at their next attempt, so no document finishing meanwhile "
                    + "is missed (DELETE then POST leaves a gap). The id, createdAt and the signing secret stay.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content =
                                    @Content(
                                            schema = @Schema(implementation = WebhookRequest.class),
                                            examples =
                                                    @ExampleObject(
                                                            name = "Idexa documentation example",
                                                            value = DOCS_EXAMPLE))))
    @ApiResponse(responseCode = "200", description = "The webhook, as stored now")
    @ApiResponse(responseCode = "404", description = "No webhook with this id for this client")
    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    WebhookResponse replaceWebhook(
            AuthenticatedClient client, @PathVariable UUID id, @RequestBody WebhookRequest request) {
        return WebhookResponse.of(webhooks.replaceWebhook(client.clientId(), id, request));
    }

    @Operation(summary = "Delete the webhook with this id")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteWebhook(AuthenticatedClient client, @PathVariable UUID id) {
        webhooks.deleteWebhook(client.clientId(), id);
    }

    @Operation(
            summary = "Show the webhook's signing secret",
            description = "Every delivery carries a Standard Webhooks signature (webhook-signature: v1,<HMAC-SHA256>, "
                    + "and v1a,<Ed25519> once the client asked for it with a rotation) over "
                    + "\"{webhook-id}.{webhook-timestamp}.{body}\". key verifies the v1 signatures; publicKey (null "
                    + "until asked for) verifies the v1a ones and may be published.")
    @ApiResponse(responseCode = "200", description = "The current signing key")
    @ApiResponse(responseCode = "404", description = "No webhook with this id for this client")
    @GetMapping("/{id}/secret")
    SigningSecretResponse signingSecret(AuthenticatedClient client, @PathVariable UUID id) {
        return SigningSecretResponse.of(webhooks.currentSigningKey(client.clientId(), id), asymmetricSignatures);
    }

    @Operation(
            summary = "Rotate the webhook's signing secret",
            description = "Makes a new signing key (or takes the client's own secret from the body); "
                    + "{\"asymmetric\": true} makes it sign with Ed25519 too (v1a) and shows its public key. The key it "
                    + "replaces keeps signing beside the new one for webhooks.signing.rotation-overlap (24 hours "
                    + "by default): each delivery carries one signature per key, so a receiver verifies with either "
                    + "secret until it switches. At most three keys sign at once: the new one, the one it replaced "
                    + "and the oldest one still in its overlap.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = false,
                            content = @Content(schema = @Schema(implementation = RotateSecretRequest.class))))
    @ApiResponse(responseCode = "200", description = "The new current signing key")
    @ApiResponse(
            responseCode = "400",
            description = "The chosen key is not whsec_ + base64 of 24 to 64 bytes, or asymmetric signatures are "
                    + "turned off on this service")
    @ApiResponse(responseCode = "404", description = "No webhook with this id for this client")
    @ApiResponse(
            responseCode = "409",
            description = "The webhook kept changing under concurrent requests; send it again")
    @PostMapping("/{id}/secret/rotate")
    SigningSecretResponse rotateSigningSecret(
            AuthenticatedClient client,
            @PathVariable UUID id,
            @RequestBody(required = false) RotateSecretRequest request) {
        String chosen = request == null ? null : request.key();
        Boolean asymmetric = request == null ? null : request.asymmetric();
        return SigningSecretResponse.of(
                webhooks.rotateSigningKey(client.clientId(), id, chosen, asymmetric), asymmetricSignatures);
    }

    @Operation(summary = "Delete the client's webhook, whatever its id")
    @DeleteMapping
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteCurrentWebhook(AuthenticatedClient client) {
        webhooks.deleteCurrentWebhook(client.clientId());
    }
}
