package com.idexa.webhooks.webhook;

/**
 * Stored webhook secrets were sealed with a key that is not configured: the service refuses to start rather than
 * fail every delivery. Its message names the properties and key ids, never a key or a secret.
 */
final class StoredSecretsUnreadable extends IllegalStateException {
    StoredSecretsUnreadable(String message) {
        super(message);
    }
}
