package com.idexa.webhooks.webhook;

import com.idexa.webhooks.webhook.WebhookRepository.SealedSecrets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Brings stored webhook secrets to the current encryption key.
 *
 * <p>Before anything starts (after the schema is migrated), it checks that every key id found in the table is
 * configured, and that a secret sealed before key ids existed opens; otherwise the service refuses to start with a
 * message naming the properties, since a changed {@code webhooks.encryption-key} would fail every delivery.
 *
 * <p>Once started, one background pass re-seals, in batches, every secret not sealed with the current key, so a
 * previous key can be dropped once every instance has logged its pass. A row is rewritten only if it still holds
 * what was read, so a webhook deleted, re-created or re-sealed by another instance meanwhile is left alone. The
 * plaintext does not change, so the cache of opened webhooks (by id) needs no invalidation.
 */
@Component
class EncryptionKeyRotation implements SmartInitializingSingleton, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EncryptionKeyRotation.class);
    private static final int BATCH = 100;
    private static final int V1_SAMPLE = 20;

    private final WebhookRepository webhooks;
    private final SecretBox secretBox;

    private volatile boolean running;
    private Thread resealer;

    EncryptionKeyRotation(WebhookRepository webhooks, SecretBox secretBox) {
        this.webhooks = webhooks;
        this.secretBox = secretBox;
    }

    @Override
    public void afterSingletonsInstantiated() {
        checkStoredSecretsOpen();
    }

    /** @throws StoredSecretsUnreadable when stored secrets were sealed with a key that is not configured */
    void checkStoredSecretsOpen() {
        List<String> unopenable = new ArrayList<>();
        for (WebhookRepository.KeyUse use : webhooks.keysInUse()) {
            if (!secretBox.knowsKeyId(use.keyId())) {
                unopenable.add(webhooks(use.webhooks()) + " sealed with key id " + use.keyId());
            }
        }
        // Boxes without a key id: the keys are wrong only if none of a sample opens. One damaged box must not keep
        // the service from starting (the re-seal pass reports those).
        List<SealedSecrets> withoutKeyId = webhooks.findSealedWithoutKeyId(V1_SAMPLE);
        if (!withoutKeyId.isEmpty() && withoutKeyId.stream().noneMatch(webhooks::opens)) {
            unopenable.add(webhooks(webhooks.countSealedWithoutKeyId())
                    + " sealed before key ids were recorded (none of the first " + withoutKeyId.size()
                    + " opens with any of the configured keys)");
        }
        if (!unopenable.isEmpty()) {
            throw new StoredSecretsUnreadable("Stored webhook secrets match no configured encryption key: "
                    + String.join("; ", unopenable) + ". Configured: webhooks.encryption-key (key id "
                    + secretBox.currentKeyId() + "), webhooks.previous-encryption-keys ("
                    + (secretBox.previousKeyIds().isEmpty()
                            ? "none"
                            : "key ids " + String.join(", ", secretBox.previousKeyIds()))
                    + "). If webhooks.encryption-key was changed, put the old key in "
                    + "webhooks.previous-encryption-keys (comma-separated; WEBHOOKS_PREVIOUS_ENCRYPTION_KEYS): "
                    + "it then only opens, and the service re-seals every secret with webhooks.encryption-key in "
                    + "the background. A key's id is the start of its SHA-256: "
                    + "echo \"$KEY\" | base64 -d | sha256sum | cut -c1-8. If that key is lost, those webhooks "
                    + "cannot be read: delete them, and have their clients register again.");
        }
    }

    private static String webhooks(long count) {
        return count == 1 ? "1 webhook" : count + " webhooks";
    }

    @Override
    public void start() {
        running = true;
        resealer = new Thread(this::resealAll, "secret-resealer");
        resealer.setDaemon(true);
        resealer.start();
    }

    @Override
    public void stop() {
        running = false;
        try {
            resealer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Re-seals every secret not sealed with the current key, in batches, until done or stopped. */
    void resealAll() {
        byte[] current = secretBox.currentHeader();
        int resealed = 0;
        int unopenable = 0;
        UUID after = new UUID(0, 0);
        try {
            List<SealedSecrets> batch;
            do {
                batch = webhooks.findNotStartingWith(current, after, BATCH);
                for (SealedSecrets stored : batch) {
                    try {
                        resealed += webhooks.reseal(stored) ? 1 : 0;
                    } catch (SecretUnreadable e) {
                        unopenable++;
                    }
                }
                after = batch.isEmpty() ? after : batch.get(batch.size() - 1).id();
            } while (running && batch.size() == BATCH);
        } catch (RuntimeException e) {
            if (running) {
                log.warn(
                        "Re-sealing webhook secrets with the current encryption key stopped; it runs again at the "
                                + "next start",
                        e);
            }
        }
        if (running) {
            log.info(
                    "Re-seal pass done: re-sealed {} webhook secrets with the current encryption key (key id {})",
                    resealed,
                    secretBox.currentKeyId());
        }
        if (unopenable > 0) {
            log.warn(
                    "{} stored webhook secrets open with no configured encryption key and were left as they are; "
                            + "their deliveries fail until the key that sealed them is in "
                            + "webhooks.previous-encryption-keys",
                    unopenable);
        }
    }
}
