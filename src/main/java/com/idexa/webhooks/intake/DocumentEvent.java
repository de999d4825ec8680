package com.idexa.webhooks.intake;

import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * A finished document, as the platform reports it.
 *
 * @param eventId the platform's idempotency key (at most 200 characters), or {@code null} to have one made
 * @param document the document result as {@code GET /documents/{id}} returns it; its {@code id} is required
 */
public record DocumentEvent(String eventId, UUID clientId, int type, ObjectNode document) {}
