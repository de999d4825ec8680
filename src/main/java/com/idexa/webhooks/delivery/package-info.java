/**
 * Dispatch: claim due deliveries, send each to the client's endpoint outside any transaction, decide the outcome
 * ({@link com.idexa.webhooks.delivery.OutcomePolicy}), and record it under the lease it was claimed with.
 */
package com.idexa.webhooks.delivery;
