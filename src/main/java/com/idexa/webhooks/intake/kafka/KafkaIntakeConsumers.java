package com.idexa.webhooks.intake.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * What the group gave this instance's consumers: which of them joined, and which partitions each holds now. The
 * container calls a rebalance listener on the consumer's own thread, and each consumer has its thread for its
 * whole life (a restarted container makes new ones), so a consumer is known by its thread; one whose thread has
 * ended is gone.
 */
final class KafkaIntakeConsumers implements ConsumerAwareRebalanceListener {

    private final int concurrency;
    private final Map<Thread, Set<TopicPartition>> byConsumer = new ConcurrentHashMap<>();

    KafkaIntakeConsumers(int concurrency) {
        this.concurrency = concurrency;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // Called after every rebalance, with no partition too (more consumers than partitions): it has joined.
        mine().addAll(partitions);
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        mine().removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        mine().removeAll(partitions);
    }

    private Set<TopicPartition> mine() {
        return byConsumer.computeIfAbsent(Thread.currentThread(), thread -> ConcurrentHashMap.newKeySet());
    }

    /** Consumers this instance runs (or means to run). */
    int concurrency() {
        return concurrency;
    }

    /** Consumers of this instance that have joined the group and still run. */
    int joined() {
        byConsumer.keySet().removeIf(thread -> !thread.isAlive());
        return byConsumer.size();
    }

    /** The partitions this instance's running consumers hold. */
    List<String> partitions() {
        byConsumer.keySet().removeIf(thread -> !thread.isAlive());
        return byConsumer.values().stream()
                .flatMap(Set::stream)
                .map(TopicPartition::toString)
                .sorted()
                .toList();
    }
}
