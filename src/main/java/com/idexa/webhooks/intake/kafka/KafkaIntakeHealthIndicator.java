package com.idexa.webhooks.intake.kafka;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Intake from Kafka's part of readiness ({@code kafkaIntake}): UP when it is off; when on, UP once every consumer
 * of this instance runs and the group has given it its share of the partitions (possibly none, with more
 * consumers than partitions); DOWN before that and after a consumer stopped (a fatal error, an authorization
 * failure). It reads state kept by the consumers, never asks the broker.
 */
@Component("kafkaIntakeHealthIndicator")
class KafkaIntakeHealthIndicator implements HealthIndicator {

    private final ObjectProvider<MessageListenerContainer> container;
    private final ObjectProvider<KafkaIntakeConsumers> consumers;

    KafkaIntakeHealthIndicator(
            ObjectProvider<MessageListenerContainer> container, ObjectProvider<KafkaIntakeConsumers> consumers) {
        this.container = container;
        this.consumers = consumers;
    }

    @Override
    public Health health() {
        MessageListenerContainer listener = container.getIfUnique();
        KafkaIntakeConsumers group = consumers.getIfAvailable();
        if (listener == null || group == null) {
            return Health.up().withDetail("enabled", false).build();
        }
        if (!listener.isRunning() || !listener.isInExpectedState()) {
            return Health.down()
                    .withDetail("reason", "the consumer is not running")
                    .build();
        }
        if (!group.joined()) {
            return Health.down()
                    .withDetail("reason", "the consumer has not joined its group yet")
                    .build();
        }
        return Health.up().withDetail("partitions", group.partitions()).build();
    }
}
