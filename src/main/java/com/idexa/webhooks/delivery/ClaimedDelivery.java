package com.idexa.webhooks.delivery;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A delivery this worker holds the lease of, with what it needs to send it.
 *
 * @param document the document JSON exactly as the platform sent it
 * @param scheduleFailures failures since the retry schedule last (re)started
 * @param eventCreatedAt when the event was accepted, for the lag metric
 * @param webhookId the client's webhook when the delivery was claimed, or {@code null} when it had none
 * @param webhookRevision that webhook's revision when the delivery was claimed (0 when it had none)
 * @param claimedAt the database's time of the claim: stored times are the database's, and an attempt's time is
 *     this plus the time elapsed here since {@code claimedNanos}
 * @param claimedNanos {@link System#nanoTime()} when the claim returned
 * @param status PENDING, or FAILED when this claim gave up on a delivery claimed too often without an outcome
 */
record ClaimedDelivery(
        UUID id,
        UUID eventId,
        String eventKey,
        UUID clientId,
        String documentId,
        String document,
        int attemptCount,
        int scheduleFailures,
        UUID leaseToken,
        OffsetDateTime eventCreatedAt,
        UUID webhookId,
        int webhookRevision,
        OffsetDateTime claimedAt,
        long claimedNanos,
        DeliveryStatus status) {

    /** Now, on the database's clock. */
    OffsetDateTime now() {
        return claimedAt.plusNanos(System.nanoTime() - claimedNanos);
    }
}
