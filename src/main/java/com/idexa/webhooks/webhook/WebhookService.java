package com.idexa.webhooks.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.signing.SigningKey;
import com.idexa.webhooks.web.InvalidRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registers, shows and deletes a client's one webhook, and keeps the keys that sign its deliveries. */
@Service
public class WebhookService {

    private static final int MAX_OPENED = 10_000;
    private static final Duration OPENED_UNUSED_FOR = Duration.ofHours(1);
    /** The current signing key and at most two previous ones in their overlap sign a delivery. */
    static final int MAX_SIGNING_KEYS = 3;
    /** Concurrent changes of one webhook are retried this often before the caller is told to try again. */
    private static final int MAX_TRIES = 5;

    /**
     * Opened webhooks by id, for deliveries. Each has the revision it was read at; a delivery claimed with a
     * newer revision reads the webhook again, so a change on any instance is seen by the next attempt. Bounded;
     * one unused for an hour (a deleted one, typically) leaves on its own.
     */
    private final Cache<UUID, Webhook> openedById = Caffeine.newBuilder()
            .maximumSize(MAX_OPENED)
            .expireAfterAccess(OPENED_UNUSED_FOR)
            .build();

    private final WebhookRepository webhooks;
    private final WebhookValidator validator;
    private final Duration rotationOverlap;
    private final Clock clock;

    WebhookService(WebhookRepository webhooks, WebhookValidator validator, WebhooksProperties properties, Clock clock) {
        this.webhooks = webhooks;
        this.validator = validator;
        this.rotationOverlap = properties.signing().rotationOverlap();
        this.clock = clock;
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
        WebhookSecrets secrets = valid.secrets().withSigningKeys(List.of(SigningKey.generate(clock.instant())));
        Webhook unsaved = webhook(id, clientId, valid, secrets, null);
        OffsetDateTime createdAt = webhooks.insertIfClientHasNone(unsaved)
                .orElseThrow(() -> new WebhookAlreadyExists(
                        webhooks.findIdByClient(clientId).orElse(null)));
        return webhook(id, clientId, valid, secrets, createdAt);
    }

    private static Webhook webhook(
            UUID id,
            UUID clientId,
            WebhookValidator.ValidWebhook valid,
            WebhookSecrets secrets,
            OffsetDateTime createdAt) {
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
                secrets,
                createdAt,
                createdAt,
                1);
    }

    @Transactional(readOnly = true)
    Optional<Webhook> currentWebhook(UUID clientId) {
        return webhooks.findByClient(clientId);
    }

    /**
     * The webhook with this id, for a delivery that found it current, at {@code revision}, when it was claimed.
     * The opened webhook is kept in memory: a delivery costs no query and no decryption here, unless the claim saw
     * a newer revision than the one kept.
     */
    public Optional<Webhook> webhookForDelivery(UUID webhookId, int revision) {
        Webhook cached = openedById.getIfPresent(webhookId);
        if (cached != null && cached.revision() >= revision) {
            return Optional.of(cached);
        }
        // Loaded outside the cache's per-key computation, so a slow database stalls no other key. Of two loads
        // that race, the newer revision stays.
        Optional<Webhook> loaded = webhooks.findById(webhookId).flatMap(this::withSigningKey);
        loaded.ifPresent(webhook -> openedById.asMap().merge(webhookId, webhook, WebhookService::newer));
        return loaded;
    }

    private static Webhook newer(Webhook a, Webhook b) {
        return a.revision() >= b.revision() ? a : b;
    }

    /**
     * The webhook's current signing key (made now for a webhook registered before deliveries were signed).
     *
     * @throws WebhookNotFound for another client's webhook or none
     */
    SigningKey currentSigningKey(UUID clientId, UUID webhookId) {
        Webhook webhook = webhooks.findByIdAndClient(webhookId, clientId)
                .flatMap(this::withSigningKey)
                .orElseThrow(() -> notFound(webhookId));
        return webhook.secrets().signingKeys().get(0);
    }

    /**
     * Replaces the current signing key with a new one; the one replaced keeps signing beside it for
     * {@code webhooks.signing.rotation-overlap}. At most {@value #MAX_SIGNING_KEYS} keys sign at once: a rotation
     * during two overlaps ends the oldest one early.
     *
     * @param chosenSecret the client's own secret ({@code whsec_} + base64 of 24 to 64 bytes), or {@code null} to
     *     have one made
     * @return the new current key
     * @throws InvalidRequest when the chosen secret breaks a rule
     * @throws WebhookNotFound for another client's webhook or none
     */
    SigningKey rotateSigningKey(UUID clientId, UUID webhookId, String chosenSecret) {
        byte[] chosen = null;
        if (chosenSecret != null) {
            try {
                chosen = SigningKey.parseSecret(chosenSecret);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest("key", "key " + e.getMessage());
            }
        }
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            Webhook webhook = webhooks.findByIdAndClient(webhookId, clientId).orElseThrow(() -> notFound(webhookId));
            Instant now = clock.instant();
            SigningKey fresh = chosen == null ? SigningKey.generate(now) : SigningKey.withSecret(chosen, now);
            List<SigningKey> keys = new ArrayList<>();
            keys.add(fresh);
            List<SigningKey> before =
                    webhook.secrets().hasSigningKeys() ? webhook.secrets().signingKeys() : List.of();
            for (SigningKey key : before) {
                SigningKey previous = key.retiresAt() == null ? key.retiringAt(now.plus(rotationOverlap)) : key;
                if (previous.signsAt(now) && keys.size() < MAX_SIGNING_KEYS) {
                    keys.add(previous);
                }
            }
            if (webhooks.replaceSecrets(
                    webhookId, webhook.revision(), webhook.secrets().withSigningKeys(keys))) {
                openedById.invalidate(webhookId);
                return fresh;
            }
        }
        throw new WebhookChangedConcurrently(webhookId);
    }

    /**
     * The webhook with a signing key: one registered before deliveries were signed gets its first key here,
     * written only if the row is still at the revision read (else it is read again).
     *
     * @return empty when the webhook was deleted meanwhile
     */
    private Optional<Webhook> withSigningKey(Webhook read) {
        Webhook webhook = read;
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            if (webhook.secrets().hasSigningKeys()) {
                return Optional.of(webhook);
            }
            WebhookSecrets secrets = webhook.secrets().withSigningKeys(List.of(SigningKey.generate(clock.instant())));
            if (webhooks.replaceSecrets(webhook.id(), webhook.revision(), secrets)) {
                return webhooks.findById(webhook.id());
            }
            Optional<Webhook> again = webhooks.findById(webhook.id());
            if (again.isEmpty()) {
                return again;
            }
            webhook = again.get();
        }
        throw new WebhookChangedConcurrently(read.id());
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
