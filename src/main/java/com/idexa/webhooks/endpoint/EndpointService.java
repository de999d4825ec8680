package com.idexa.webhooks.endpoint;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.delivery.DeliveryNotifications;
import com.idexa.webhooks.delivery.Dispatcher;
import com.idexa.webhooks.delivery.EndpointState;
import com.idexa.webhooks.delivery.EndpointStateChanged;
import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.InvalidRequest;
import com.idexa.webhooks.webhook.WebhookNotFound;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** A client reads its endpoint's state, enables it again, and bounds what it receives. */
@Service
class EndpointService {

    static final int MAX_PER_SECOND = 1000;

    private final EndpointRepository endpoints;
    private final DeliveryNotifications notifications;
    private final ApplicationEventPublisher events;
    private final Dispatcher dispatcher;
    private final int maxInFlightCap;

    EndpointService(
            EndpointRepository endpoints,
            DeliveryNotifications notifications,
            ApplicationEventPublisher events,
            Dispatcher dispatcher,
            WebhooksProperties properties) {
        this.dispatcher = dispatcher;
        this.endpoints = endpoints;
        this.notifications = notifications;
        this.events = events;
        this.maxInFlightCap = properties.delivery().maxInFlightPerClient();
    }

    @Transactional(readOnly = true)
    EndpointStatus endpointStatus(UUID clientId, UUID webhookId) {
        return endpoints.status(webhookId, clientId).orElseThrow(() -> notFound(webhookId));
    }

    /**
     * Makes the endpoint ACTIVE and its held deliveries due; enabling an ACTIVE endpoint changes nothing. Operators
     * are told once the change is committed.
     */
    @Transactional
    EndpointStatus enableEndpoint(UUID clientId, UUID webhookId) {
        endpoints.enable(webhookId, clientId).ifPresent(at -> {
            events.publishEvent(
                    new EndpointStateChanged(clientId, webhookId, EndpointState.ACTIVE, "enabled by the client", at));
            notifications.deliveriesBecameDue(List.of(clientId));
        });
        return endpointStatus(clientId, webhookId);
    }

    @Transactional(readOnly = true)
    DeliverySettings deliverySettings(UUID clientId, UUID webhookId) {
        return endpoints.settings(webhookId, clientId).orElseThrow(() -> notFound(webhookId));
    }

    @Transactional
    DeliverySettings changeDeliverySettings(UUID clientId, UUID webhookId, DeliverySettings settings) {
        if (settings == null) {
            throw new InvalidRequest("body", "a JSON object with maxPerSecond and maxInFlight is required");
        }
        List<FieldProblem> problems = new ArrayList<>();
        if (settings.maxPerSecond() != null
                && (settings.maxPerSecond() < 1 || settings.maxPerSecond() > MAX_PER_SECOND)) {
            problems.add(new FieldProblem(
                    "maxPerSecond", "maxPerSecond must be between 1 and " + MAX_PER_SECOND + ", or null for no limit"));
        }
        if (settings.maxInFlight() != null && (settings.maxInFlight() < 1 || settings.maxInFlight() > maxInFlightCap)) {
            problems.add(new FieldProblem(
                    "maxInFlight",
                    "maxInFlight must be between 1 and " + maxInFlightCap
                            + " (this server's cap), or null for the cap"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequest(problems);
        }
        DeliverySettings saved =
                endpoints.saveSettings(webhookId, clientId, settings).orElseThrow(() -> notFound(webhookId));
        afterCommit(dispatcher::deliverySettingsChanged);
        return saved;
    }

    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    /** As {@code GET /document_webhooks/{id}} answers for a webhook that is not the caller's. */
    private static WebhookNotFound notFound(UUID webhookId) {
        return new WebhookNotFound("No webhook with the id " + webhookId + " exists for this client.");
    }
}
