package com.idexa.webhooks.delivery;

/** Whether a webhook's endpoint is sent to; see {@code V7__endpoint_health.sql}. */
public enum EndpointState {
    ACTIVE,
    /** Not sent to until the client enables it again: its deliveries are created and held. */
    DISABLED
}
