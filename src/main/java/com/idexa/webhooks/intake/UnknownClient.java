package com.idexa.webhooks.intake;

import java.util.UUID;

/** A single event named a client that does not exist; nothing was recorded. */
public class UnknownClient extends RuntimeException {

    private final UUID clientId;

    UnknownClient(UUID clientId) {
        super("No client has the id " + clientId + ".");
        this.clientId = clientId;
    }

    public UUID clientId() {
        return clientId;
    }
}
