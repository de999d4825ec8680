package com.idexa.webhooks.webhook;

/** A sealed secret that cannot be opened: altered, moved to another row, or sealed with another key. Its message never carries secret material. */
final class SecretUnreadable extends RuntimeException {
    SecretUnreadable(String message) {
        super(message);
    }
}
