package com.idexa.webhooks.delivery;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many attempts each client has in flight on this instance. Taking and freeing a slot are each one atomic
 * {@code compute}, so an attempt freeing a client's last slot cannot race the loop taking a new one (the count of a
 * client with nothing in flight is removed, not left at zero).
 */
final class ClientSlots {

    private final int perClient;
    private final Map<UUID, Integer> inFlight = new ConcurrentHashMap<>();

    ClientSlots(int perClient) {
        this.perClient = perClient;
    }

    void take(UUID client) {
        inFlight.compute(client, (id, count) -> count == null ? 1 : count + 1);
    }

    void free(UUID client) {
        inFlight.compute(client, (id, count) -> count == null || count <= 1 ? null : count - 1);
    }

    /** Room left for each client with attempts in flight here; any other client has {@link #perClient()}. */
    Map<UUID, Integer> roomOfBusyClients() {
        Map<UUID, Integer> room = new java.util.HashMap<>();
        inFlight.forEach((client, count) -> room.put(client, perClient - count));
        return room;
    }

    int perClient() {
        return perClient;
    }

    int inFlight(UUID client) {
        return inFlight.getOrDefault(client, 0);
    }
}
