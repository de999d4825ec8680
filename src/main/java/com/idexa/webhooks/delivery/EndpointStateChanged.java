package com.idexa.webhooks.delivery;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A webhook's endpoint was disabled or enabled, published as an application event once the change is committed.
 * It carries ids and a reason written by this service, never a URL or a secret.
 */
public record EndpointStateChanged(
        UUID clientId, UUID webhookId, EndpointState state, String reason, OffsetDateTime at) {}
