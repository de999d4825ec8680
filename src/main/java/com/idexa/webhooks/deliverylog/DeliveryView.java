package com.idexa.webhooks.deliverylog;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.idexa.webhooks.delivery.DeliveryStatus;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** The delivery log as clients read it. */
final class DeliveryView {

    private DeliveryView() {}

    /** A delivery in the list. {@code nextAttemptAt} is set only while it is PENDING. */
    record Item(
            UUID id,
            String eventId,
            String documentId,
            DeliveryStatus status,
            int attemptCount,
            OffsetDateTime createdAt,
            OffsetDateTime lastAttemptAt,
            OffsetDateTime nextAttemptAt,
            Integer lastStatusCode,
            String lastError) {

        /** As the log shows it while the endpoint is DISABLED: a PENDING delivery is HELD, with no next attempt. */
        Item held() {
            return status != DeliveryStatus.PENDING
                    ? this
                    : new Item(
                            id,
                            eventId,
                            documentId,
                            DeliveryStatus.HELD,
                            attemptCount,
                            createdAt,
                            lastAttemptAt,
                            null,
                            lastStatusCode,
                            lastError);
        }
    }

    record Page(List<Item> items, String nextCursor) {}

    record Attempt(
            OffsetDateTime attemptedAt,
            long durationMs,
            String method,
            String url,
            Integer statusCode,
            String error,
            String responseBody) {}

    /** One delivery with every attempt, oldest first: the item's fields, then {@code attempts}. */
    record Detail(@JsonUnwrapped Item delivery, List<Attempt> attempts) {}

    record Accepted(UUID deliveryId) {}

    /** Deliveries and attempts per hour, {@code hours} oldest first, from {@code from} to {@code to}. */
    record Stats(OffsetDateTime from, OffsetDateTime to, List<Hour> hours) {}

    /**
     * One hour: the deliveries created in it by their status now, and the attempts made in it.
     *
     * @param p50Ms median attempt duration, {@code null} without attempts
     * @param p95Ms 95th percentile attempt duration, {@code null} without attempts
     */
    record Hour(
            OffsetDateTime hour,
            long succeeded,
            long failed,
            long pending,
            long cancelled,
            long attempts,
            Long p50Ms,
            Long p95Ms) {}
}
