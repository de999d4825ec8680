package com.idexa.webhooks.delivery;

/** One attempt of a claimed delivery and what the {@link OutcomePolicy} decided it leads to. */
record Outcome(ClaimedDelivery delivery, AttemptRecord attempt, OutcomePolicy.Decision decision) {}
