package com.idexa.webhooks.webhook;

import com.idexa.webhooks.client.AuthenticatedClient;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /document_webhooks}, as the Idexa documentation describes it; the older edition's
 * {@code /api_document/document_webhooks} is served too.
 */
@RestController
@RequestMapping({"/document_webhooks", "/api_document/document_webhooks"})
class WebhookController {

    private final WebhookService webhooks;

    WebhookController(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    /** Answers 200, not 201: the documentation says so. */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    WebhookResponse createWebhook(AuthenticatedClient client, @RequestBody WebhookRequest request) {
        return WebhookResponse.of(webhooks.registerWebhook(client.clientId(), request));
    }

    @GetMapping
    WebhookResponse currentWebhook(AuthenticatedClient client) {
        return WebhookResponse.of(webhooks.currentWebhook(client.clientId()).orElseThrow(WebhookService::noWebhook));
    }

    @GetMapping("/{id}")
    WebhookResponse showWebhook(AuthenticatedClient client, @PathVariable UUID id) {
        return WebhookResponse.of(webhooks.showWebhook(client.clientId(), id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteWebhook(AuthenticatedClient client, @PathVariable UUID id) {
        webhooks.deleteWebhook(client.clientId(), id);
    }

    @DeleteMapping
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteCurrentWebhook(AuthenticatedClient client) {
        webhooks.deleteCurrentWebhook(client.clientId());
    }
}
