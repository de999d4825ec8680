package com.idexa.webhooks.intake.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * The dead-letter topic's producer and publisher. A publication waits for the broker's acknowledgement. When it
 * fails for good (the record is too large for the producer or the topic, the topic is invalid, the producer is not
 * authorized), the record goes again without its value and headers ({@link #VALUE_DROPPED} says why); when that
 * fails for good too, it is given up ({@link Outcome#FAILED}). A failure Kafka calls temporary ({@link
 * RetriableException}: a timeout, no leader), and any failure not known to be permanent, is thrown, so that the
 * poll is tried again: the partition waits rather than lose a record to a passing fault. Closed with the context,
 * which stops the producer's threads.
 */
final class KafkaIntakeDeadLetters implements AutoCloseable {

    /** Header of a record sent without its value: why the value was dropped (the producer's error). */
    static final String VALUE_DROPPED = "webhooks-dlt-value-dropped";

    /** Header of a record sent without its value: the size of the dropped value in bytes, as decimal text. */
    static final String ORIGINAL_VALUE_SIZE = "webhooks-dlt-original-value-size";

    /** A key longer than this is dropped with the value (it may be what made the record too large). */
    private static final int MAX_KEPT_KEY = 1024;

    /**
     * The failures of the record itself, which its second try without the value may cure. A refused or unknown
     * dead-letter topic (an ACL, a misspelt name) is not among them: no try of any record cures it, so it is taken
     * as passing and the partition waits, counted as failed polls, until an operator mends it.
     */
    private static final List<Class<? extends Throwable>> PERMANENT =
            List.of(RecordTooLargeException.class, InvalidRecordException.class, SerializationException.class);

    enum Outcome {
        SENT,
        SENT_WITHOUT_VALUE,
        FAILED
    }

    /** What became of a poison record: its outcome and, unless {@link Outcome#SENT}, the permanent failure. */
    record Published(Outcome outcome, Throwable failure) {}

    private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
    private final DeadLetterPublishingRecoverer recoverer;

    KafkaIntakeDeadLetters(
            Map<String, Object> producerSettings, String topic, long maxRequestSize, MeterRegistry registry) {
        Map<String, Object> settings = new HashMap<>(producerSettings);
        // The consumer can fetch a record as large as the topic allows, far beyond the producer's 1 MB default.
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxRequestSize));
        settings.merge(
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                Math.max(32L * 1024 * 1024, maxRequestSize),
                (set, ours) -> set); // the buffer must hold the largest record
        this.producers =
                new DefaultKafkaProducerFactory<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
        producers.addListener(new MicrometerProducerListener<>(registry));
        // Kafka picks the dead-letter partition (by the key, so one client's poison stays together): the
        // dead-letter topic need not have as many partitions as the topic.
        this.recoverer =
                new DeadLetterPublishingRecoverer(
                        new KafkaTemplate<>(producers), (record, exception) -> new TopicPartition(topic, -1)) {
                    /**
                     * Waits for the broker's acknowledgement and throws when it does not come, so an offset is committed
                     * only once its poison record is in the dead-letter topic. Unlike Spring's, it keeps the producer's
                     * error as the cause, which tells a permanent failure from a passing one.
                     */
                    @Override
                    protected void publish(
                            ProducerRecord<Object, Object> out,
                            KafkaOperations<Object, Object> template,
                            ConsumerRecord<?, ?> in) {
                        try {
                            template.send(out)
                                    .get(determineSendTimeout(template).toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new KafkaException("interrupted while sending to " + topic, e);
                        } catch (ExecutionException e) {
                            throw new KafkaException("could not send to " + topic, e.getCause());
                        } catch (TimeoutException e) {
                            throw new KafkaException("no acknowledgement from " + topic + " in time", e);
                        }
                    }
                };
        recoverer.excludeHeader(DeadLetterPublishingRecoverer.HeaderNames.HeadersToAdd.EX_STACKTRACE);
    }

    /**
     * Publishes the record, waiting for the broker.
     *
     * @throws RuntimeException when the publication failed for a reason that may pass: the poll is tried again
     */
    Published publish(PoisonRecord poison, Consumer<?, ?> consumer) {
        Throwable failure;
        try {
            recoverer.accept(poison.record(), consumer, poison);
            return new Published(Outcome.SENT, null);
        } catch (RuntimeException e) {
            failure = permanentCause(e).orElseThrow(() -> e);
        }
        try {
            recoverer.accept(withoutValue(poison.record(), failure), consumer, poison);
            return new Published(Outcome.SENT_WITHOUT_VALUE, failure);
        } catch (RuntimeException e) {
            return new Published(Outcome.FAILED, permanentCause(e).orElseThrow(() -> e));
        }
    }

    /** The first permanent failure in the chain, unless Kafka called a failure in it temporary. */
    static Optional<Throwable> permanentCause(Throwable failure) {
        Throwable permanent = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof RetriableException) {
                return Optional.empty();
            }
            if (permanent == null && isPermanent(cause)) {
                permanent = cause;
            }
        }
        return Optional.ofNullable(permanent);
    }

    private static boolean isPermanent(Throwable failure) {
        return PERMANENT.stream().anyMatch(type -> type.isInstance(failure));
    }

    /** The record's coordinates, timestamp and (short) key, without its value and headers. */
    private static ConsumerRecord<byte[], byte[]> withoutValue(ConsumerRecord<byte[], byte[]> record, Throwable why) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(
                VALUE_DROPPED,
                (why.getClass().getSimpleName() + ": " + why.getMessage()).getBytes(StandardCharsets.UTF_8));
        int size = record.value() == null ? 0 : record.value().length;
        headers.add(ORIGINAL_VALUE_SIZE, Integer.toString(size).getBytes(StandardCharsets.UTF_8));
        byte[] key = record.key() != null && record.key().length <= MAX_KEPT_KEY ? record.key() : null;
        return new ConsumerRecord<>(
                record.topic(),
                record.partition(),
                record.offset(),
                record.timestamp(),
                record.timestampType(),
                key == null ? -1 : key.length,
                -1,
                key,
                null,
                headers,
                Optional.empty());
    }

    @Override
    public void close() {
        producers.destroy();
    }
}
