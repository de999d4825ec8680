package com.idexa.webhooks.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registers, shows and deletes a client's one webhook. */
@Service
public class WebhookService {

    private static final int MAX_OPENED = 10_000;
    private static final Duration OPENED_UNUSED_FOR = Duration.ofHours(1);

    /**
     * Opened webhooks by id, for deliveries. Safe to keep: a webhook is never changed, only deleted and re-created
     * with a new id. Bounded; one unused for an hour (a deleted one, typically) leaves on its own.
     */
    private final Cache<UUID, Webhook> openedById = Caffeine.newBuilder()
            .maximumSize(MAX_OPENED)
            .expireAfterAccess(OPENED_UNUSED_FOR)
            .build();

    private final WebhookRepository webhooks;
    private final WebhookValidator validator;

    WebhookService(WebhookRepository webhooks, WebhookValidator validator) {
        this.webhooks = webhooks;
        this.validator = validator;
    }

    /**
     * Validates, then inserts in one statement. Not transactional on purpose: validation resolves the URLs' hosts
     * (DNS can take seconds), and no database connection should wait on that.
     *
     * @throws com.idexa.webhooks.web.InvalidRequest when the request breaks a rule
     * @throws WebhookAlreadyExists when the client has a webhook; under concurrent calls exactly one wins
     */
    Webhook registerWebhook(UUID clientId, WebhookRequest request) {
        WebhookValidator.ValidWebhook valid = validator.validate(request);
        UUID id = UUID.randomUUID();
        Webhook unsaved = webhook(id, clientId, valid, null);
        OffsetDateTime createdAt = webhooks.insertIfClientHasNone(unsaved)
                .orElseThrow(() -> new WebhookAlreadyExists(
                        webhooks.findIdByClient(clientId).orElse(null)));
        return webhook(id, clientId, valid, createdAt);
    }

    private static Webhook webhook(
            UUID id, UUID clientId, WebhookValidator.ValidWebhook valid, OffsetDateTime createdAt) {
        return new Webhook(
                id,
                clientId,
                valid.name(),
                valid.type(),
                valid.method(),
                valid.url(),
                valid.headerAuth(),
                valid.authorizationUrl(),
                valid.authorizationMethod(),
                valid.authorizationResponseTokenAttr(),
                valid.secrets(),
                createdAt,
                createdAt);
    }

    @Transactional(readOnly = true)
    Optional<Webhook> currentWebhook(UUID clientId) {
        return webhooks.findByClient(clientId);
    }

    /**
     * The webhook with this id, for a delivery that found it current when it was claimed. Webhooks are immutable
     * (a client changes one by deleting it and creating another, with a new id), so the opened webhook is kept
     * in memory: a delivery costs no query and no decryption here.
     */
    public Optional<Webhook> webhookForDelivery(UUID webhookId) {
        Webhook cached = openedById.getIfPresent(webhookId);
        if (cached != null) {
            return Optional.of(cached);
        }
        // Loaded outside the cache's per-key computation, so a slow database stalls no other key; two loads that
        // race put the same immutable webhook.
        Optional<Webhook> loaded = webhooks.findById(webhookId);
        loaded.ifPresent(webhook -> openedById.put(webhookId, webhook));
        return loaded;
    }

    @Transactional(readOnly = true)
    Webhook showWebhook(UUID clientId, UUID webhookId) {
        return webhooks.findByIdAndClient(webhookId, clientId).orElseThrow(() -> notFound(webhookId));
    }

    @Transactional
    void deleteWebhook(UUID clientId, UUID webhookId) {
        if (!webhooks.deleteByIdAndClient(webhookId, clientId)) {
            throw notFound(webhookId);
        }
        openedById.invalidate(webhookId);
    }

    @Transactional
    void deleteCurrentWebhook(UUID clientId) {
        UUID deleted = webhooks.deleteByClient(clientId).orElseThrow(WebhookService::noWebhook);
        openedById.invalidate(deleted);
    }

    public static WebhookNotFound noWebhook() {
        return new WebhookNotFound("This client has no webhook. Create one with POST /document_webhooks.");
    }

    private static WebhookNotFound notFound(UUID webhookId) {
        return new WebhookNotFound("No webhook with the id " + webhookId + " exists for this client.");
    }
}
