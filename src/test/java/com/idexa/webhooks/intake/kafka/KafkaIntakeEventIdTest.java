package com.idexa.webhooks.intake.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.intake.DocumentEvent;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The {@code eventId} a record without one gets: its coordinates and its timestamp, within the length limit. */
class KafkaIntakeEventIdTest {

    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, long timestamp) {
        return new ConsumerRecord<>(
                topic,
                partition,
                offset,
                timestamp,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                null,
                null,
                new RecordHeaders(),
                Optional.empty());
    }

    @Test
    void isTheSameForARecordReadAgain() {
        assertThat(KafkaIntakeListener.derivedEventId(record("document-events", 3, 1234, 1_790_000_000_000L)))
                .isEqualTo("kafka:document-events-3-1234-1790000000000")
                .isEqualTo(KafkaIntakeListener.derivedEventId(record("document-events", 3, 1234, 1_790_000_000_000L)));
    }

    @Test
    void differsForTheSameOffsetOfATopicMadeAgain() {
        assertThat(KafkaIntakeListener.derivedEventId(record("document-events", 0, 0, 1_790_000_000_000L)))
                .isNotEqualTo(KafkaIntakeListener.derivedEventId(record("document-events", 0, 0, 1_790_000_999_000L)));
    }

    @Test
    void namesALongTopicByAHashWithinTheLimit() {
        String longTopic = "t".repeat(249); // Kafka's longest topic name
        String otherLongTopic = "t".repeat(248) + "u";
        String eventId = KafkaIntakeListener.derivedEventId(record(longTopic, 7, Long.MAX_VALUE, Long.MAX_VALUE));

        assertThat(eventId)
                .hasSizeLessThanOrEqualTo(DocumentEvent.MAX_EVENT_ID)
                .matches("kafka:sha256:[0-9a-f]{16}-7-" + Long.MAX_VALUE + "-" + Long.MAX_VALUE);
        assertThat(eventId)
                .isNotEqualTo(
                        KafkaIntakeListener.derivedEventId(record(otherLongTopic, 7, Long.MAX_VALUE, Long.MAX_VALUE)));
    }
}
