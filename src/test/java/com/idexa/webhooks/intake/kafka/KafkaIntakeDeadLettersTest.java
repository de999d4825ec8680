package com.idexa.webhooks.intake.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.KafkaException;

/**
 * Which failures of a dead-letter publication are permanent (the record goes without its value, or is given up)
 * and which may pass (the poll is tried again): Kafka's own split, {@code RetriableException}, decides, and an
 * unknown failure counts as passing, so that nothing is skipped for it.
 */
class KafkaIntakeDeadLettersTest {

    private static KafkaException sendFailed(Throwable cause) {
        return new KafkaException("could not send", new ExecutionException(cause));
    }

    @Test
    void takesKafkasNonRetriableRefusalsAsPermanent() {
        assertThat(KafkaIntakeDeadLetters.permanentCause(sendFailed(new RecordTooLargeException("too large"))))
                .containsInstanceOf(RecordTooLargeException.class);
        assertThat(KafkaIntakeDeadLetters.permanentCause(
                        new KafkaException("Send failed", new SerializationException())))
                .containsInstanceOf(SerializationException.class);
    }

    @Test
    void takesADeadLetterTopicAnOperatorMustMendAsPassing() {
        // A missing write ACL or a misspelt topic: sending the record again without its value cannot cure it, and
        // taking it as permanent would skip the poison record; the partition waits for the operator instead.
        assertThat(KafkaIntakeDeadLetters.permanentCause(sendFailed(new InvalidTopicException("bad"))))
                .isEmpty();
        assertThat(KafkaIntakeDeadLetters.permanentCause(sendFailed(new TopicAuthorizationException("no"))))
                .isEmpty();
    }

    @Test
    void takesRetriableAndUnknownFailuresAsPassing() {
        assertThat(KafkaIntakeDeadLetters.permanentCause(sendFailed(new TimeoutException("no metadata"))))
                .isEmpty();
        assertThat(KafkaIntakeDeadLetters.permanentCause(sendFailed(new NotLeaderOrFollowerException())))
                .isEmpty();
        assertThat(KafkaIntakeDeadLetters.permanentCause(
                        new KafkaException("no ack", new java.util.concurrent.TimeoutException())))
                .isEmpty();
        assertThat(KafkaIntakeDeadLetters.permanentCause(new KafkaException("without a cause")))
                .isEmpty();
    }
}
