package com.idexa.webhooks.intake;

import java.util.UUID;

/**
 * A finished document, as the platform reports it.
 *
 * @param eventId the platform's idempotency key (at most 200 characters), or {@code null} to have one made
 * @param document the document result as {@code GET /documents/{id}} returns it, as JSON text exactly as the
 *     platform wrote it (it is stored and sent as these bytes); an object whose {@code id} is required
 */
public record DocumentEvent(String eventId, UUID clientId, int type, String document) {

    /** The longest {@code eventId}, in characters. */
    public static final int MAX_EVENT_ID = 200;
}
