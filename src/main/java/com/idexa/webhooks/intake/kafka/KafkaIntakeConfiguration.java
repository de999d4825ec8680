package com.idexa.webhooks.intake.kafka;

import com.idexa.webhooks.intake.EventIntakeService;
import com.idexa.webhooks.intake.EventReader;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
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
    KafkaIntakeConsumers kafkaIntakeConsumers() {
        return new KafkaIntakeConsumers();
    }

    @Bean
    ConcurrentMessageListenerContainer<byte[], byte[]> kafkaIntakeContainer(
            KafkaIntakeProperties settings,
            ConsumerFactory<?, ?> bootConsumers,
            ProducerFactory<?, ?> bootProducers,
            EventReader reader,
            EventIntakeService intake,
            KafkaIntakeConsumers consumers,
            MeterRegistry registry) {
        Map<String, Object> consumerSettings = new HashMap<>(bootConsumers.getConfigurationProperties());
        // A new group starts at the beginning of the topic: what was published before it existed is intake too.
        consumerSettings.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        DefaultKafkaConsumerFactory<byte[], byte[]> consumerFactory = new DefaultKafkaConsumerFactory<>(
                consumerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumerFactory.addListener(new MicrometerConsumerListener<>(registry)); // kafka_consumer_* (lag)

        DefaultKafkaProducerFactory<byte[], byte[]> producerFactory = new DefaultKafkaProducerFactory<>(
                bootProducers.getConfigurationProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        producerFactory.addListener(new MicrometerProducerListener<>(registry));
        // Kafka picks the dead-letter partition (by the key, so one client's poison stays together): the
        // dead-letter topic need not have as many partitions as the topic.
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(
                new KafkaTemplate<>(producerFactory),
                (record, exception) -> new TopicPartition(settings.deadLetterTopic(), -1));
        deadLetters.excludeHeader(DeadLetterPublishingRecoverer.HeaderNames.HeadersToAdd.EX_STACKTRACE);
        // Waits for the broker's acknowledgement (failing the poll when it does not come), so an offset is
        // committed only once its poison record is in the dead-letter topic.
        deadLetters.setFailIfSendResultIsError(true);

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
