package com.idexa.webhooks.endpoint;

import com.idexa.webhooks.web.StrictInteger;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * {@code /document_webhooks/{id}/delivery_settings}: bounds the client sets on what it receives; null is no bound
 * of its own (the server's caps still apply).
 */
record DeliverySettings(
        @Schema(
                description = "Most attempts started per second, 1 to 1000; null for no limit",
                nullable = true,
                minimum = "1",
                maximum = "1000")
        @JsonDeserialize(using = StrictInteger.class)
        Integer maxPerSecond,

        @Schema(
                description = "Most attempts in flight at once, 1 to the server's per-client cap "
                        + "(webhooks.delivery.max-in-flight-per-client); null for the cap. 1 sends first "
                        + "attempts one at a time, in the order the events were recorded",
                nullable = true,
                minimum = "1")
        @JsonDeserialize(using = StrictInteger.class)
        Integer maxInFlight) {}
