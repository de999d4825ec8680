package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientBreakersTest {

    private final UUID hung = UUID.randomUUID();
    private final UUID other = UUID.randomUUID();
    private final ClientSlots slots = new ClientSlots(8);
    private final AtomicLong nanoTime = new AtomicLong(1_000_000_000L);

    private ClientBreakers breakers(int tripAfter, int maxProbes) {
        return new ClientBreakers(tripAfter, maxProbes, SLOW_AFTER, nanoTime::get);
    }

    private static final Duration SLOW_AFTER = Duration.ofSeconds(1);

    @Test
    void aClientWhoseAttemptIsUnansweredLongerThanSlowAfterGetsNoNewAttemptUntilItEnds() {
        ClientBreakers breakers = breakers(3, 100);
        slots.take(hung);
        long started = breakers.started(hung);
        assertThat(breakers.room(slots)).as("just started").containsEntry(hung, 7);

        nanoTime.addAndGet(SLOW_AFTER.plusMillis(1).toNanos());
        assertThat(breakers.room(slots))
                .as("unanswered for longer than slow-after")
                .containsEntry(hung, 0);
        assertThat(breakers.tripped(hung)).as("slow is not tripped").isFalse();

        slots.free(hung);
        breakers.ended(hung, unanswered("timeout"));
        breakers.settled(hung, started);
        assertThat(breakers.room(slots))
                .as("its attempt ended unanswered: one at a time")
                .containsEntry(hung, 1);
    }

    @Test
    void aClientWhoseLastAttemptWentUnansweredGetsOneAttemptAtATimeUntilOneIsAnswered() {
        ClientBreakers breakers = breakers(3, 100);
        breakers.ended(hung, unanswered("timeout"));
        assertThat(breakers.room(slots))
                .as("not its whole cap: that would all hang again")
                .containsEntry(hung, 1);
        slots.take(hung);
        assertThat(breakers.room(slots)).as("its one attempt is in flight").containsEntry(hung, 0);

        slots.free(hung);
        breakers.ended(hung, answered(200));
        assertThat(breakers.room(slots)).as("answered: its cap again").doesNotContainKey(hung);
    }

    @Test
    void onlyTheAttemptThatEndedStopsCountingTowardsSlowness() {
        ClientBreakers breakers = breakers(3, 100);
        long first = breakers.started(hung);
        nanoTime.addAndGet(Duration.ofMillis(600).toNanos());
        long second = breakers.started(hung);
        nanoTime.addAndGet(Duration.ofMillis(600).toNanos());
        breakers.ended(hung, answered(200));
        breakers.settled(hung, second);

        assertThat(breakers.room(slots))
                .as("the first is still unanswered after 1.2 s")
                .containsEntry(hung, 0);

        breakers.settled(hung, first);
        assertThat(breakers.room(slots)).doesNotContainKey(hung);
    }

    @Test
    void aClientIsTrippedToOneProbeAfterItsAttemptsGoUnansweredInARow() {
        ClientBreakers breakers = breakers(3, 100);
        breakers.ended(hung, unanswered("timeout"));
        breakers.ended(hung, unanswered("connection_error"));
        assertThat(breakers.room(slots)).containsEntry(hung, 1);

        breakers.ended(hung, unanswered("timeout"));

        assertThat(breakers.tripped(hung)).isTrue();
        assertThat(breakers.room(slots)).containsEntry(hung, 1);
        slots.take(hung);
        assertThat(breakers.room(slots)).as("its probe is in flight").containsEntry(hung, 0);
        assertThat(breakers.trippedCount()).isEqualTo(1);
        assertThat(breakers.trips()).isEqualTo(1);
    }

    @Test
    void attemptsStillInFlightFromBeforeTheTripLeaveNoRoomForAProbe() {
        ClientBreakers breakers = breakers(1, 100);
        slots.take(hung);
        slots.take(hung);
        breakers.ended(hung, unanswered("timeout"));

        assertThat(breakers.room(slots)).containsEntry(hung, 0);
    }

    @Test
    void anyHttpAnswerClosesTheBreakerAndForgetsTheClient() {
        ClientBreakers breakers = breakers(2, 100);
        breakers.ended(hung, unanswered("timeout"));
        breakers.ended(hung, unanswered("timeout"));

        breakers.ended(hung, answered(503));

        assertThat(breakers.tripped(hung)).isFalse();
        assertThat(breakers.trippedCount()).isZero();
        assertThat(breakers.room(slots)).doesNotContainKey(hung);
    }

    @Test
    void httpErrorsInterruptionsAndBlockedUrlsNeverTrip() {
        ClientBreakers breakers = breakers(1, 100);
        breakers.ended(hung, answered(500));
        breakers.ended(hung, unanswered("interrupted"));
        breakers.ended(hung, unanswered("blocked"));
        breakers.ended(hung, unanswered("token_failed"));
        breakers.ended(hung, null); // a cancellation: no attempt

        assertThat(breakers.tripped(hung)).isFalse();
    }

    @Test
    void anAnswerBetweenUnansweredAttemptsStartsTheCountAgain() {
        ClientBreakers breakers = breakers(2, 100);
        breakers.ended(hung, unanswered("timeout"));
        breakers.ended(hung, answered(200));
        breakers.ended(hung, unanswered("timeout"));

        assertThat(breakers.tripped(hung)).isFalse();
    }

    @Test
    void probesOfAllTrippedClientsTogetherStayWithinTheCapTakingTurns() {
        ClientBreakers breakers = breakers(1, 1);
        breakers.ended(hung, unanswered("timeout"));
        breakers.ended(other, unanswered("timeout"));

        Map<UUID, Integer> room = breakers.room(slots);
        assertThat(room.get(hung) + room.get(other)).as("one probe slot in all").isEqualTo(1);
        UUID first = room.get(hung) == 1 ? hung : other;
        UUID second = first == hung ? other : hung;

        slots.take(first);
        breakers.started(first);
        assertThat(breakers.room(slots)).containsEntry(first, 0).containsEntry(second, 0);

        slots.free(first);
        breakers.ended(first, unanswered("timeout"));
        assertThat(breakers.room(slots))
                .as("the client whose last attempt started longest ago probes next")
                .containsEntry(first, 0)
                .containsEntry(second, 1);
    }

    @Test
    void aTrippedClientOfferedAProbeWithNothingDueGoesToTheBackOfTheTurns() {
        ClientBreakers breakers = breakers(1, 1);
        UUID offered = trippedBothAndOfferedOne(breakers);
        UUID waiting = offered == hung ? other : hung;

        breakers.claimed(Set.of(), null); // the claim found nothing due for it

        assertThat(breakers.room(slots))
                .as("the probe slot goes to the other tripped client")
                .containsEntry(waiting, 1)
                .containsEntry(offered, 0);
    }

    @Test
    void aTrippedClientOfferedAProbeThatAClaimForOtherClientsNewsDidNotLookAtKeepsItsTurn() {
        ClientBreakers breakers = breakers(1, 1);
        UUID offered = trippedBothAndOfferedOne(breakers);

        breakers.claimed(Set.of(), Set.of(UUID.randomUUID())); // a claim for a third client's news

        assertThat(breakers.room(slots))
                .as("the probe slot stays with the client whose turn it was")
                .containsEntry(offered, 1);
    }

    /** Trips both clients; the room then offers one of them the single probe (returned), and time passes. */
    private UUID trippedBothAndOfferedOne(ClientBreakers breakers) {
        breakers.ended(hung, unanswered("timeout"));
        breakers.ended(other, unanswered("timeout"));
        Map<UUID, Integer> room = breakers.room(slots);
        nanoTime.addAndGet(1_000);
        return room.get(hung) == 1 ? hung : other;
    }

    @Test
    void theProbeCapIsAShareOfTheRoomAndAtLeastOne() {
        assertThat(ClientBreakers.maxProbes(1000, 0.1)).isEqualTo(100);
        assertThat(ClientBreakers.maxProbes(64, 0.1)).isEqualTo(7);
        assertThat(ClientBreakers.maxProbes(5, 0.0)).isEqualTo(1);
    }

    @Test
    void healthyClientsKeepTheRoomTheirCapLeaves() {
        ClientBreakers breakers = breakers(1, 1);
        breakers.ended(hung, unanswered("timeout"));
        slots.take(other);

        assertThat(breakers.room(slots)).containsEntry(other, 7);
    }

    private static AttemptRecord unanswered(String tag) {
        return AttemptRecord.unanswered(OffsetDateTime.now(), 10, "POST", "https://example.com/", "no answer", tag);
    }

    private static AttemptRecord answered(int status) {
        return new AttemptRecord(
                OffsetDateTime.now(),
                10,
                "POST",
                "https://example.com/",
                status,
                status >= 300 ? "HTTP " + status : null,
                "",
                null,
                (status / 100) + "xx");
    }
}
