package com.idexa.webhooks.intake.kafka;

import com.idexa.webhooks.intake.EventIntakeService;
import com.idexa.webhooks.intake.EventReader;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The Kafka consumer of intake, only when {@code webhooks.intake.kafka.enabled=true}; otherwise nothing here
 * exists and nothing connects to a broker (Spring Boot's own Kafka beans connect only when used). It takes the
 * connection settings from Spring Boot's consumer and producer factories ({@code spring.kafka.*}) and reads keys
 * and values as bytes, so a value that is not JSON reaches the listener (and the dead-letter topic) instead of
 * failing in a deserializer.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("webhooks.intake.kafka.enabled")
@EnableConfigurationProperties(KafkaIntakeProperties.class)
class KafkaIntakeConfiguration {

    /** The container's bean name, also the prefix of its consumers' client ids and threads. */
    static final String CONTAINER = "kafkaIntake";

    @Bean
    KafkaIntakeConsumers kafkaIntakeConsumers(KafkaIntakeProperties settings) {
        return new KafkaIntakeConsumers(settings.concurrency());
    }

    /** A bean of its own, so that the context closes its producer (after the container, which uses it). */
    @Bean
    KafkaIntakeDeadLetters kafkaIntakeDeadLetters(
            KafkaIntakeProperties settings, ProducerFactory<?, ?> bootProducers, MeterRegistry registry) {
        return new KafkaIntakeDeadLetters(
                bootProducers.getConfigurationProperties(),
                settings.deadLetterTopic(),
                settings.deadLetterMaxRequestSize().toBytes(),
                registry);
    }

    @Bean
    ConcurrentMessageListenerContainer<byte[], byte[]> kafkaIntakeContainer(
            KafkaIntakeProperties settings,
            ConsumerFactory<?, ?> bootConsumers,
            KafkaIntakeDeadLetters deadLetters,
            EventReader reader,
            EventIntakeService intake,
            KafkaIntakeConsumers consumers,
            MeterRegistry registry,
            Environment environment) {
        Map<String, Object> consumerSettings = new HashMap<>(bootConsumers.getConfigurationProperties());
        // A new group starts at the beginning of the topic: what was published before it existed is intake too.
        consumerSettings.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Records of a producer's aborted transaction are never intake; Kafka's default (and Boot's, which always
        // sets one) reads them too, so read_committed unless spring.kafka.consumer.isolation-level is set.
        if (!Binder.get(environment)
                .bind("spring.kafka.consumer.isolation-level", String.class)
                .isBound()) {
            consumerSettings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        DefaultKafkaConsumerFactory<byte[], byte[]> consumerFactory = new DefaultKafkaConsumerFactory<>(
                consumerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumerFactory.addListener(new MicrometerConsumerListener<>(registry)); // kafka_consumer_* (lag)

        ContainerProperties container = new ContainerProperties(settings.topic());
        container.setGroupId(settings.groupId());
        container.setAckMode(ContainerProperties.AckMode.BATCH);
        container.setConsumerRebalanceListener(consumers);
        container.setMessageListener(
                new KafkaIntakeListener(reader, intake, deadLetters, settings.deadLetterTopic(), registry));

        ConcurrentMessageListenerContainer<byte[], byte[]> listener =
                new ConcurrentMessageListenerContainer<>(consumerFactory, container);
        listener.setConcurrency(settings.concurrency());
        listener.setBeanName(CONTAINER);
        listener.setCommonErrorHandler(retryForEver(settings));
        return listener;
    }

    /**
     * A poll that failed (anything but poison, which the listener handles) is tried again, the consumer paused
     * meanwhile (it keeps its partitions), with exponential backoff and no limit: a record is never skipped, and
     * the offsets move only when the whole poll has been recorded.
     */
    private static DefaultErrorHandler retryForEver(KafkaIntakeProperties settings) {
        ExponentialBackOff backOff =
                new ExponentialBackOff(settings.retryInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(settings.retryMaxInterval().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, exception) -> {
                    throw new IllegalStateException("intake never skips a record", exception);
                },
                backOff);
        return handler;
    }
}
