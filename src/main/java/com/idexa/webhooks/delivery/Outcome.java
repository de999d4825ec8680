package com.idexa.webhooks.delivery;

/**
 * What to record for a claimed delivery: an attempt and what the {@link OutcomePolicy} decided it leads to, or a
 * cancellation without any attempt.
 *
 * @param attempt the attempt, or {@code null} for a cancellation
 * @param cancelReason why the delivery was cancelled, or {@code null} for an attempt
 */
record Outcome(ClaimedDelivery delivery, AttemptRecord attempt, OutcomePolicy.Decision decision, String cancelReason) {

    static Outcome attempted(ClaimedDelivery delivery, AttemptRecord attempt, OutcomePolicy.Decision decision) {
        return new Outcome(delivery, attempt, decision, null);
    }

    static Outcome cancelled(ClaimedDelivery delivery, String reason) {
        return new Outcome(delivery, null, null, reason);
    }

    boolean isCancellation() {
        return attempt == null;
    }
}
