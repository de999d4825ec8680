package com.idexa.webhooks.webhook;

/**
 * A sealed secret that cannot be opened: altered, moved to another row, or sealed with a key that is not configured.
 * Its message never carries secret material.
 */
final class SecretUnreadable extends RuntimeException {
    SecretUnreadable(String message) {
        super(message);
    }
}
