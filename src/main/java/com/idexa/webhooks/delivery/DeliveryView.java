package com.idexa.webhooks.delivery;

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
            String lastError) {}

    record Page(List<Item> items, String nextCursor) {}

    record Attempt(
            OffsetDateTime attemptedAt,
            long durationMs,
            String method,
            String url,
            Integer statusCode,
            String error,
            String responseBody) {}

    /** One delivery with every attempt, oldest first. */
    record Detail(
            UUID id,
            String eventId,
            String documentId,
            DeliveryStatus status,
            int attemptCount,
            OffsetDateTime createdAt,
            OffsetDateTime lastAttemptAt,
            OffsetDateTime nextAttemptAt,
            Integer lastStatusCode,
            String lastError,
            List<Attempt> attempts) {

        static Detail of(Item item, List<Attempt> attempts) {
            return new Detail(item.id(), item.eventId(), item.documentId(), item.status(), item.attemptCount(),
                    item.createdAt(), item.lastAttemptAt(), item.nextAttemptAt(), item.lastStatusCode(),
                    item.lastError(), attempts);
        }
    }

    record Accepted(UUID deliveryId) {}
}
