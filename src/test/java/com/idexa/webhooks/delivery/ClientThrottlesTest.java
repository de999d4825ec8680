package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The room a client's delivery settings leave it, on a clock the test moves. */
class ClientThrottlesTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ClientThrottles throttles = new ClientThrottles(nanos::get);
    private final ClientSlots slots = new ClientSlots(8);
    private final UUID client = UUID.randomUUID();

    private int room() {
        return throttles.limit(new HashMap<>(), 8, slots).getOrDefault(client, 8);
    }

    @Test
    void aRateLimitGivesAFifthOfASecondOfAttemptsThenRefillsAtItsRate() {
        throttles.update(Map.of(client, new ClientThrottles.Settings(50, null)));

        assertThat(room()).isEqualTo(8); // a full bucket holds 10, more than the per-client room
        throttles.claimed(Collections.nCopies(8, client));
        assertThat(room()).isEqualTo(2);
        throttles.claimed(Collections.nCopies(2, client));
        assertThat(room()).isZero();
        assertThat(throttles.untilTokens()).isEqualTo(Duration.ofMillis(100)); // half the bucket: 5 at 50/s

        nanos.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(room()).isEqualTo(5);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(room()).isEqualTo(8); // never more than the bucket, nor the room
    }

    @Test
    void maxInFlightLowersTheRoomByWhatIsInFlight() {
        throttles.update(Map.of(client, new ClientThrottles.Settings(null, 2)));
        assertThat(room()).isEqualTo(2);

        slots.take(client);
        assertThat(room()).isEqualTo(1);
        slots.take(client);
        assertThat(room()).isZero();
        assertThat(throttles.untilTokens()).isNull();
    }

    @Test
    void clientsWithoutSettingsKeepTheirRoom() {
        throttles.update(Map.of(UUID.randomUUID(), new ClientThrottles.Settings(1, 1)));

        assertThat(throttles.limit(new HashMap<>(), 8, slots)).doesNotContainKey(client);
    }
}
