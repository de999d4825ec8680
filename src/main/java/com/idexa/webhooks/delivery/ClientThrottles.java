package com.idexa.webhooks.delivery;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The bounds clients set on what they receive ({@code PUT /document_webhooks/{id}/delivery_settings}), applied to
 * the room each claim offers: {@code maxInFlight} lowers a client's room by its attempts in flight here, and
 * {@code maxPerSecond} by a token bucket per client. Both hold per instance: with several dispatching instances a
 * client may receive up to that many times its bounds (README, "Throttle").
 *
 * <p>A bucket holds a fifth of a second of attempts (at least one) and starts full; each attempt claimed takes a
 * token. Claims are not made per token: while a client used all the room its tokens gave, the loop waits until
 * half its bucket has filled again ({@link #untilTokens}), so a throttled backlog costs a few claims a second, not
 * one per delivery. Only the dispatcher's loop thread uses this class.
 */
final class ClientThrottles {

    /** A client's bounds; either may be null (none). */
    record Settings(Integer maxPerSecond, Integer maxInFlight) {}

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final LongSupplier nanoTime;
    private Map<UUID, Settings> settings = Map.of();
    private final Map<UUID, Bucket> buckets = new HashMap<>();
    /** Clients whose tokens, not their room, bounded the last claim, and who were given all of them. */
    private final Set<UUID> waitingForTokens = new HashSet<>();

    private final Map<UUID, Integer> offeredTokens = new HashMap<>();

    ClientThrottles(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The clients' bounds as now stored; clients absent have none. Buckets of clients whose rate changed restart. */
    void update(Map<UUID, Settings> current) {
        buckets.keySet().removeIf(client -> {
            Settings now = current.get(client);
            return now == null
                    || !Objects.equals(now.maxPerSecond(), settings.get(client).maxPerSecond());
        });
        settings = Map.copyOf(current);
    }

    /**
     * Lowers the room of each client with bounds.
     *
     * @param room the room of busy clients, changed in place; clients absent have {@code perClient}
     */
    Map<UUID, Integer> limit(Map<UUID, Integer> room, int perClient, ClientSlots slots) {
        offeredTokens.clear();
        long now = nanoTime.getAsLong();
        settings.forEach((client, bounds) -> {
            int left = room.getOrDefault(client, perClient);
            if (bounds.maxInFlight() != null) {
                left = Math.min(left, Math.max(0, bounds.maxInFlight() - slots.inFlight(client)));
            }
            if (bounds.maxPerSecond() != null) {
                int tokens = buckets.computeIfAbsent(client, id -> new Bucket(bounds.maxPerSecond(), now))
                        .available(now);
                if (tokens <= left) {
                    offeredTokens.put(client, tokens);
                }
                left = Math.min(left, tokens);
            }
            room.put(client, left);
        });
        return room;
    }

    /** Takes a token for each attempt claimed; notes the clients that used every token they were offered. */
    void claimed(Collection<UUID> clientOfEachAttempt) {
        Map<UUID, Integer> taken = new HashMap<>();
        clientOfEachAttempt.forEach(client -> taken.merge(client, 1, Integer::sum));
        taken.forEach((client, count) -> {
            Bucket bucket = buckets.get(client);
            if (bucket != null) {
                bucket.take(count);
            }
        });
        waitingForTokens.clear();
        offeredTokens.forEach((client, tokens) -> {
            if (taken.getOrDefault(client, 0) >= tokens) {
                waitingForTokens.add(client); // it had more due than its tokens allowed, or exactly as many
            }
        });
    }

    /** The clients that used every token the last claim offered them: more of theirs may be due. */
    Set<UUID> waiting() {
        return Set.copyOf(waitingForTokens);
    }

    /** How long until a client that ran out of tokens has half a bucket again; {@code null} when none did. */
    Duration untilTokens() {
        long now = nanoTime.getAsLong();
        long soonest = Long.MAX_VALUE;
        for (UUID client : waitingForTokens) {
            Bucket bucket = buckets.get(client);
            if (bucket != null) {
                soonest = Math.min(soonest, bucket.nanosUntil(Math.max(1, bucket.capacity / 2), now));
            }
        }
        return soonest == Long.MAX_VALUE ? null : Duration.ofNanos(soonest);
    }

    /** A token bucket in nanoseconds: {@code perSecond} tokens a second, up to {@code capacity}. */
    private static final class Bucket {
        final int perSecond;
        final int capacity;
        /** Tokens, scaled by {@link #SECOND} so refill stays exact in integers. */
        long scaled;

        long at;

        Bucket(int perSecond, long now) {
            this.perSecond = perSecond;
            this.capacity = Math.max(1, perSecond / 5);
            this.scaled = capacity * SECOND;
            this.at = now;
        }

        int available(long now) {
            refill(now);
            return (int) (scaled / SECOND);
        }

        void take(int tokens) {
            scaled = Math.max(0, scaled - tokens * SECOND);
        }

        long nanosUntil(int tokens, long now) {
            refill(now);
            long missing = tokens * SECOND - scaled;
            return missing <= 0 ? 0 : (missing + perSecond - 1) / perSecond;
        }

        private void refill(long now) {
            long elapsed = Math.max(0, now - at);
            at = now;
            scaled = Math.min(capacity * SECOND, scaled + Math.min(elapsed, SECOND) * perSecond);
        }
    }
}
