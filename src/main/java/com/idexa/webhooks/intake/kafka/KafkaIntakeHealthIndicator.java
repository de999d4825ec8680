package com.idexa.webhooks.intake.kafka;

import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Intake from Kafka's part of the overall health ({@code kafkaIntake}; not of readiness: the API and HTTP intake do
 * not need Kafka, and a consumer stopped on every instance must not take them out of service): UP when it is off;
 * when on, DOWN only when the
 * consumer container has stopped, or one of its consumers stopped for good (a fatal error, a failed
 * authorization), because then records wait until someone acts. A consumer still joining its group (the broker
 * is unreachable during a deploy, say) leaves it UP: HTTP intake and the API do not need Kafka, and the backlog
 * waits in the topic; the details say how many consumers have joined. It reads state kept by the consumers,
 * never asks the broker.
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
        boolean stopped = !listener.isRunning() || !listener.isInExpectedState();
        List<String> partitions = group.partitions();
        Health.Builder health = stopped ? Health.down() : Health.up();
        if (stopped) {
            health.withDetail(
                    "reason",
                    listener.isRunning()
                            ? "a consumer stopped (see its log: a fatal error, a failed authorization)"
                            : "the consumer container is stopped");
        }
        return health.withDetail("stopped", stopped)
                .withDetail("concurrency", group.concurrency())
                .withDetail("joined", group.joined())
                .withDetail("assignedPartitions", partitions.size())
                .withDetail("partitions", partitions)
                .build();
    }
}
