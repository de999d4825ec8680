package com.idexa.webhooks.client;

import java.util.UUID;

/**
 * The client whose {@code IDEXA-API-KEY} a request carried. Declare it as a controller parameter to require a
 * valid key: {@link ApiKeyArgumentResolver} resolves it, or answers 401.
 */
public record AuthenticatedClient(UUID clientId, UUID keyId) {}
