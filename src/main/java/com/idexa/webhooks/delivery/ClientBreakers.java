package com.idexa.webhooks.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * A circuit breaker per client, so endpoints that hang cannot hold the dispatcher however many there are. A client
 * whose last {@code tripAfter} attempts in a row got no answer at all (timed out, or could not connect) is
 * <em>tripped</em>: from then on it may have one attempt in flight on this instance, a probe, and only while the
 * probes of all tripped clients together stay within {@code maxProbes}. The first attempt that gets any HTTP
 * answer (an error status too: the endpoint answered) closes the breaker and the client has its full room again.
 *
 * <p>An HTTP error answer never counts against a client: it comes back fast and costs little. Attempts this
 * service interrupted itself, blocked URLs, requests that could not be made and failed token fetches count
 * neither way. Tripped clients waiting for a probe slot take turns: the one whose last attempt started longest
 * ago goes first.
 *
 * <p>A client whose latest attempt went unanswered, not yet tripped, may have one attempt in flight until one is
 * answered. Without this, a hung endpoint's first timeout left it with nothing in flight and so its whole per-client
 * cap: it took that many of its queued deliveries at once, all to hang again, and 500 hung clients held 4,000
 * attempts, more than the dispatcher's room (the benchmark's hung half: a fifth of the healthy clients' deliveries
 * were not even claimed while they hung).
 *
 * <p>Before a client trips it is already <em>slow</em> while one of its attempts has been in flight longer than
 * {@code slowAfter} without an answer: it gets no new attempt until that one ends. An endpoint that starts hanging
 * therefore holds the attempts it had started within {@code slowAfter} (usually one), not its whole per-client
 * cap, until its first timeout, and one at a time after it, for the {@code tripAfter} request timeouts it takes to
 * trip. A healthy endpoint slower than {@code slowAfter} still gets
 * its per-client cap, in waves: it is as fast as its cap and latency allow either way.
 *
 * <p>The limits reach the claim as room ({@link #room}): a slow client gets room 0; an unanswered one 1 when it
 * has nothing in flight, else 0; a tripped client gets room 1
 * when a probe slot is its turn and it has nothing in flight, 0 otherwise. So k hung clients hold at most
 * {@code min(k, maxProbes)} slots once tripped; before they trip each holds what it started in its first
 * {@code slowAfter} of hanging, then one. The rule is per instance: k instances allow a client k attempts.
 *
 * <p>State is kept in memory per instance, only for clients whose latest attempts went unanswered (an answer
 * forgets the client), in a cache bounded in size that forgets a client an hour after its last attempt.
 */
final class ClientBreakers {

    private static final int MAX_CLIENTS = 100_000;
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    /** Tripped clients the last {@link #room} offered a probe. */
    private final Set<UUID> offered = new HashSet<>();

    /** When each attempt in flight started, per client (at most its per-client cap of them). */
    private final Map<UUID, List<Long>> inFlightSince = new HashMap<>();

    /** A client with unanswered attempts in a row. Guarded by the enclosing {@code ClientBreakers}. */
    private static final class State {
        int unanswered;
        boolean tripped;
        long lastStartNanos;
    }

    private final int tripAfter;
    private final int maxProbes;
    private final long slowAfterNanos;
    private final LongSupplier nanoTime;
    private final Cache<UUID, State> states = Caffeine.newBuilder()
            .maximumSize(MAX_CLIENTS)
            .expireAfterWrite(FORGET_AFTER)
            .executor(Runnable::run)
            .build();
    private long trips;

    ClientBreakers(int tripAfter, int maxProbes, Duration slowAfter) {
        this(tripAfter, maxProbes, slowAfter, System::nanoTime);
    }

    /**
     * @param tripAfter unanswered attempts in a row after which a client is tripped
     * @param maxProbes most attempts tripped clients may have in flight together on this instance
     * @param slowAfter how long an attempt may be in flight unanswered before its client gets no more for now
     * @param nanoTime the monotonic clock the attempts' ages are read from
     */
    ClientBreakers(int tripAfter, int maxProbes, Duration slowAfter, LongSupplier nanoTime) {
        this.tripAfter = tripAfter;
        this.maxProbes = maxProbes;
        this.slowAfterNanos = slowAfter.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The probe cap for a dispatcher of {@code maxInFlight}: {@code probeShare} of it, rounded up, at least one. */
    static int maxProbes(int maxInFlight, double probeShare) {
        return Math.max(1, (int) Math.ceil(maxInFlight * probeShare));
    }

    /**
     * An attempt of the client is starting.
     *
     * @return when, to be handed back to {@link #settled} when the attempt ends
     */
    synchronized long started(UUID client) {
        long now = nanoTime.getAsLong();
        states.asMap().computeIfPresent(client, (id, state) -> {
            state.lastStartNanos = now;
            return state;
        });
        inFlightSince.computeIfAbsent(client, id -> new ArrayList<>(2)).add(now);
        return now;
    }

    /** The attempt of the client that {@link #started} at {@code startedNanos} is no longer in flight. */
    synchronized void settled(UUID client, long startedNanos) {
        inFlightSince.computeIfPresent(client, (id, starts) -> {
            starts.remove(Long.valueOf(startedNanos));
            return starts.isEmpty() ? null : starts;
        });
    }

    /** Whether an attempt of the client has been in flight longer than {@code slowAfter}. */
    private boolean slow(UUID client, long now) {
        List<Long> starts = inFlightSince.get(client);
        return starts != null && starts.stream().anyMatch(start -> now - start > slowAfterNanos);
    }

    /** The endpoint answered (any HTTP status): the client's breaker closes. */
    synchronized void answered(UUID client) {
        states.invalidate(client);
    }

    /** The endpoint did not answer at all: it timed out, or no connection could be made. */
    synchronized void unanswered(UUID client) {
        states.asMap().compute(client, (id, state) -> {
            State next = state == null ? new State() : state;
            next.unanswered++;
            if (!next.tripped && next.unanswered >= tripAfter) {
                next.tripped = true;
                trips++;
            }
            return next;
        });
    }

    /** Tells the breaker what an attempt's record says about the endpoint; {@code null} (no attempt) says nothing. */
    void ended(UUID client, AttemptRecord attempt) {
        if (attempt == null) {
            return;
        }
        if (attempt.statusCode() != null) {
            answered(client);
        } else if (UNANSWERED.contains(attempt.metricTag())) {
            unanswered(client);
        }
    }

    /** Outcome tags of attempts the endpoint never answered, for reasons that are the endpoint's. */
    private static final Set<String> UNANSWERED = Set.of("timeout", "connection_error");

    synchronized boolean tripped(UUID client) {
        State state = states.getIfPresent(client);
        return state != null && state.tripped;
    }

    synchronized int trippedCount() {
        return (int)
                states.asMap().values().stream().filter(state -> state.tripped).count();
    }

    /** How often a client was tripped since this instance started. */
    synchronized long trips() {
        return trips;
    }

    /**
     * The room each client may still have for a claim: the room its per-client cap leaves ({@link
     * ClientSlots#roomOfBusyClients()}), 0 for slow clients, and for unanswered and tripped clients 1 or 0 as
     * described above. Clients absent from the map may have the per-client cap.
     */
    synchronized Map<UUID, Integer> room(ClientSlots slots) {
        Map<UUID, Integer> room = slots.roomOfBusyClients();
        long now = nanoTime.getAsLong();
        inFlightSince.keySet().stream().filter(client -> slow(client, now)).forEach(client -> room.put(client, 0));
        List<Map.Entry<UUID, State>> tripped = states.asMap().entrySet().stream()
                .filter(entry -> entry.getValue().tripped)
                .sorted(Comparator.comparingLong(entry -> entry.getValue().lastStartNanos))
                .toList();
        int probesLeft = maxProbes
                - tripped.stream()
                        .mapToInt(entry -> slots.inFlight(entry.getKey()))
                        .sum();
        states.asMap().forEach((client, state) -> { // unanswered, not yet tripped: one attempt at a time
            if (!state.tripped) {
                room.merge(client, slots.inFlight(client) == 0 ? 1 : 0, Math::min);
            }
        });
        offered.clear();
        for (Map.Entry<UUID, State> entry : tripped) {
            boolean probe = probesLeft > 0 && slots.inFlight(entry.getKey()) == 0;
            room.put(entry.getKey(), probe ? 1 : 0);
            if (probe) {
                probesLeft--;
                offered.add(entry.getKey());
            }
        }
        return room;
    }

    /**
     * What the claim made of the room last offered: a tripped client offered a probe that had nothing due goes to
     * the back of the turns, so tripped clients with nothing due (waiting out a long retry delay) cannot keep the
     * probe slots from one that has. A client the claim did not look at (a claim for other clients' news) keeps
     * its place.
     *
     * @param lookedAt the clients the claim looked at; null for every client
     */
    synchronized void claimed(Set<UUID> clientsClaimed, Set<UUID> lookedAt) {
        long now = nanoTime.getAsLong();
        for (UUID client : offered) {
            State state = states.getIfPresent(client);
            if (state != null && !clientsClaimed.contains(client) && (lookedAt == null || lookedAt.contains(client))) {
                state.lastStartNanos = now;
            }
        }
        offered.clear();
    }
}
