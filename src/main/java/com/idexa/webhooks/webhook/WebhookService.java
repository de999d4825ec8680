package com.idexa.webhooks.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.signing.SigningKey;
import com.idexa.webhooks.web.InvalidRequest;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/** Registers, shows and deletes a client's one webhook, and keeps the keys that sign its deliveries. */
@Service
public class WebhookService {

    private static final Logger log = LoggerFactory.getLogger(WebhookService.class);

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
    private final TransactionTemplate transactions;
    private final Duration rotationOverlap;
    private final boolean asymmetricAllowed;
    private final Clock clock;

    WebhookService(
            WebhookRepository webhooks,
            WebhookValidator validator,
            WebhooksProperties properties,
            Clock clock,
            TransactionTemplate transactions) {
        this.webhooks = webhooks;
        this.validator = validator;
        this.transactions = transactions;
        this.rotationOverlap = properties.signing().rotationOverlap();
        this.asymmetricAllowed = properties.signing().asymmetric();
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
        WebhookSecrets secrets = valid.secrets().withSigningKeys(List.of(SigningKey.generate(clock.instant(), false)));
        Webhook unsaved = webhook(id, clientId, valid, secrets, null);
        OffsetDateTime createdAt = webhooks.insertIfClientHasNone(unsaved)
                .orElseThrow(() -> new WebhookAlreadyExists(
                        webhooks.findIdByClient(clientId).orElse(null)));
        return webhook(id, clientId, valid, secrets, createdAt);
    }

    /**
     * Replaces the webhook's configuration in one statement: deliveries pending or made from now on follow the new
     * one at their next attempt (on every instance: the claim carries the revision); an attempt already in flight
     * ends with the old one. The signing keys are kept. Validated outside any transaction, as a registration is.
     *
     * @throws com.idexa.webhooks.web.InvalidRequest when the request breaks a rule; nothing changes then
     * @throws WebhookNotFound for another client's webhook, or one deleted meanwhile
     */
    Webhook replaceWebhook(UUID clientId, UUID webhookId, WebhookRequest request) {
        WebhookValidator.ValidWebhook valid = validator.validate(request);
        // Locked: a rotation or another replacement at the same moment waits its turn instead of failing this one.
        Webhook replaced = transactions.execute(status -> {
            Webhook current =
                    webhooks.findByIdAndClientForUpdate(webhookId, clientId).orElseThrow(() -> notFound(webhookId));
            List<SigningKey> keys = current.secrets().hasSigningKeys()
                    ? current.secrets().signingKeys()
                    : List.of(SigningKey.generate(clock.instant(), false));
            Webhook replacement =
                    webhook(webhookId, clientId, valid, valid.secrets().withSigningKeys(keys), current.createdAt());
            WebhookRepository.Replaced saved = webhooks.replace(replacement, current.revision())
                    .orElseThrow(() -> new WebhookChangedConcurrently(webhookId)); // not while locked; a guard
            return new Webhook(
                    webhookId,
                    clientId,
                    replacement.name(),
                    replacement.type(),
                    replacement.method(),
                    replacement.url(),
                    replacement.headerAuth(),
                    replacement.authorizationUrl(),
                    replacement.authorizationMethod(),
                    replacement.authorizationResponseTokenAttr(),
                    replacement.secrets(),
                    current.createdAt(),
                    saved.updatedAt(),
                    saved.revision());
        });
        openedById.invalidate(webhookId);
        return replaced;
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
     * {@code webhooks.signing.rotation-overlap}. At most {@value #MAX_SIGNING_KEYS} keys sign at once: the new one,
     * the one it replaced, and the oldest one still in its overlap (the one receivers most likely still hold). A key
     * that was current only between two rotations inside one overlap stops signing when a third one comes.
     *
     * @param chosenSecret the client's own secret ({@code whsec_} + base64 of 24 to 64 bytes), or {@code null} to
     *     have one made
     * @param asymmetric whether the new key also signs {@code v1a} (an Ed25519 pair); {@code null} keeps what the
     *     current key does. New webhooks sign {@code v1} only: an Ed25519 signature costs about ten times the CPU
     *     of the HMAC one, on every attempt, so only clients that verify with a public key pay it
     * @return the new current key
     * @throws InvalidRequest when the chosen secret breaks a rule, or asymmetric signatures are asked for on a
     *     service that has them turned off
     * @throws WebhookNotFound for another client's webhook or none
     */
    @Transactional
    SigningKey rotateSigningKey(UUID clientId, UUID webhookId, String chosenSecret, Boolean asymmetric) {
        if (Boolean.TRUE.equals(asymmetric) && !asymmetricAllowed) {
            throw new InvalidRequest(
                    "asymmetric", "asymmetric: this service sends no v1a signatures (webhooks.signing.asymmetric)");
        }
        byte[] chosen = null;
        if (chosenSecret != null) {
            try {
                chosen = SigningKey.parseSecret(chosenSecret);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest("key", "key " + e.getMessage());
            }
        }
        // Locked: concurrent rotations of one webhook take turns instead of failing each other.
        Webhook webhook =
                webhooks.findByIdAndClientForUpdate(webhookId, clientId).orElseThrow(() -> notFound(webhookId));
        Instant now = clock.instant();
        // Asymmetric or not is the client's choice, kept by a rotation that does not say.
        boolean keyPair = asymmetric != null
                ? asymmetric
                : webhook.secrets().hasSigningKeys()
                        && webhook.secrets().signingKeys().get(0).hasKeyPair();
        if (chosen != null && webhook.secrets().hasSigningKeys()) {
            SigningKey current = webhook.secrets().signingKeys().get(0);
            if (MessageDigest.isEqual(current.secret(), chosen) && current.hasKeyPair() == keyPair) {
                // Asked again for what is already current (a client's retry, or a switch already made): a new
                // Ed25519 pair here would retire the public key receivers hold, with no overlap.
                return current;
            }
        }
        SigningKey fresh =
                chosen == null ? SigningKey.generate(now, keyPair) : SigningKey.withSecret(chosen, now, keyPair);
        List<SigningKey> previous = new ArrayList<>(); // newest first, as stored
        if (webhook.secrets().hasSigningKeys()) {
            for (SigningKey key : webhook.secrets().signingKeys()) {
                SigningKey retiring = key.retiresAt() == null ? key.retiringAt(now.plus(rotationOverlap)) : key;
                if (retiring.signsAt(now) && !MessageDigest.isEqual(retiring.secret(), fresh.secret())) {
                    previous.add(retiring);
                }
            }
        }
        while (previous.size() > MAX_SIGNING_KEYS - 1) {
            previous.remove(previous.size() - 2); // keep the one just replaced and the oldest
        }
        List<SigningKey> keys = new ArrayList<>();
        keys.add(fresh);
        keys.addAll(previous);
        if (!webhooks.replaceSigningKeys(webhookId, webhook.revision(), keys)) {
            throw new WebhookChangedConcurrently(webhookId); // not while the row is locked; a guard all the same
        }
        openedById.invalidate(webhookId);
        log.info(
                "Signing key of webhook {} (client {}) rotated; {} previous key(s) still sign",
                webhookId,
                clientId,
                previous.size());
        return fresh;
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
            if (webhooks.replaceSigningKeys(
                    webhook.id(), webhook.revision(), List.of(SigningKey.generate(clock.instant(), false)))) {
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
