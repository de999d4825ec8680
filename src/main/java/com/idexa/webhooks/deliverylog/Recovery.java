package com.idexa.webhooks.deliverylog;

import io.swagger.v3.oas.annotations.media.Schema;

/** {@code POST /document_webhooks/deliveries/recover}: what the client asks for and what it got. */
final class Recovery {

    private Recovery() {}

    record Request(
            @Schema(
                    description = "Start of the window (inclusive), an ISO-8601 time with an offset; at most "
                            + "14 days back",
                    example = "2026-11-28T00:00:00Z",
                    requiredMode = Schema.RequiredMode.REQUIRED)
            String since,

            @Schema(
                    description = "End of the window (exclusive); now when absent",
                    example = "2026-11-29T00:00:00Z",
                    nullable = true)
            String until) {}

    /**
     * @param requeued FAILED deliveries sent again with a fresh retry schedule
     * @param created deliveries made for events that had none
     */
    record Result(int requeued, int created) {}
}
