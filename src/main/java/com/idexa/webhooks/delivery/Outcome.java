package com.idexa.webhooks.delivery;

import java.time.Duration;

/**
 * What became of one attempt: the delivery's next status and, while it stays PENDING, when to try again.
 *
 * @param scheduleFailures failures in the current retry schedule, this attempt's included
 * @param retryIn the wait before the next attempt, or {@code null} when the delivery is finished
 */
record Outcome(
        ClaimedDelivery delivery,
        AttemptRecord attempt,
        DeliveryStatus status,
        int scheduleFailures,
        Duration retryIn) {}
