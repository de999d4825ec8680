package com.idexa.webhooks.delivery;

/** Where a delivery stands; see the state machine in {@code V2__events_and_deliveries.sql}. */
public enum DeliveryStatus {
    /** Waiting for its first attempt or for a retry, or being attempted right now. */
    PENDING,
    SUCCEEDED,
    /** Every retry failed, or the endpoint answered 410 Gone. */
    FAILED,
    /** The client had no webhook when the attempt was due. */
    CANCELLED,
    /**
     * Pending, but its webhook's endpoint is DISABLED: not attempted, no retry spent, until the client enables it.
     * Only the delivery log shows it; stored, it is PENDING (V7).
     */
    HELD
}
