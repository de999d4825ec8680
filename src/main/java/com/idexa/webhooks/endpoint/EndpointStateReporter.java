package com.idexa.webhooks.endpoint;

import com.idexa.webhooks.delivery.EndpointStateChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Tells operators of every endpoint state change, once it is committed: a counter per state, a WARN line with the
 * client and webhook ids (never a URL or a secret), and the operator notification, when one is configured.
 */
@Component
class EndpointStateReporter {

    private static final Logger log = LoggerFactory.getLogger(EndpointStateReporter.class);

    private final MeterRegistry registry;
    private final OperatorNotifier notifier;

    EndpointStateReporter(MeterRegistry registry, OperatorNotifier notifier) {
        this.registry = registry;
        this.notifier = notifier;
    }

    /** After the commit of the change, or at once when it was made outside a transaction (the recorder's). */
    @TransactionalEventListener(fallbackExecution = true)
    void endpointStateChanged(EndpointStateChanged change) {
        Counter.builder("webhook.endpoint.state.changes")
                .tag("state", change.state().name())
                .description("Endpoints disabled (dead or gone) and enabled again")
                .register(registry)
                .increment();
        log.warn(
                "Endpoint of webhook {} (client {}) is now {}: {}",
                change.webhookId(),
                change.clientId(),
                change.state(),
                change.reason());
        notifier.notifyOperator(change);
    }
}
