package com.idexa.webhooks.deliverylog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * A position in the newest-first delivery log: after the delivery with this creation time and id. Clients see it
 * only as an opaque token ({@link #encode}); a token this API did not make is refused.
 */
record LogCursor(OffsetDateTime createdAt, UUID id) {

    /** 9999-12-31: cursors come from creation times, and PostgreSQL refuses timestamps far beyond it. */
    private static final long MAX_MICROS = 253_402_300_799_000_000L;

    String encode() {
        Instant at = createdAt.toInstant();
        long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
        String raw = micros + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the token is not one {@link #encode} made */
    static LogCursor decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            long micros = Long.parseLong(raw.substring(0, colon));
            if (micros < 0 || micros > MAX_MICROS) {
                throw new IllegalArgumentException("outside the range of creation times");
            }
            Instant at =
                    Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
            return new LogCursor(at.atOffset(ZoneOffset.UTC), UUID.fromString(raw.substring(colon + 1)));
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a cursor", e);
        }
    }
}
