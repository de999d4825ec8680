package com.idexa.webhooks.endpoint;

import com.idexa.webhooks.delivery.EndpointState;
import java.time.OffsetDateTime;

/**
 * {@code GET /document_webhooks/{id}/status}.
 *
 * @param disabledAt when it was disabled; null while ACTIVE
 * @param reason why it was disabled; null while ACTIVE
 * @param consecutiveFailures failed attempts since the last successful one
 */
record EndpointStatus(
        EndpointState state,
        OffsetDateTime disabledAt,
        String reason,
        OffsetDateTime lastSuccessAt,
        OffsetDateTime lastFailureAt,
        int consecutiveFailures) {}
