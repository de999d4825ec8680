package com.idexa.webhooks.intake;

import java.util.UUID;

/**
 * What intake answers: the event's id and its delivery's, {@code deliveryId} being {@code null} when the client
 * had no webhook.
 */
public record RecordedEvent(String eventId, UUID deliveryId) {}
