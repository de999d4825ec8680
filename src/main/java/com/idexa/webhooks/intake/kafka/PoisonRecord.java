package com.idexa.webhooks.intake.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A Kafka record that can never be recorded, whatever is tried again: its message, the reason, goes to the
 * dead-letter topic in the {@code kafka_dlt-exception-message} header. It never quotes the record's value.
 */
final class PoisonRecord extends RuntimeException {

    private final transient ConsumerRecord<byte[], byte[]> record;
    private final KafkaIntakeListener.Poison poison;

    PoisonRecord(ConsumerRecord<byte[], byte[]> record, KafkaIntakeListener.Poison poison, String reason) {
        super(reason, null, false, false);
        this.record = record;
        this.poison = poison;
    }

    ConsumerRecord<byte[], byte[]> record() {
        return record;
    }

    KafkaIntakeListener.Poison poison() {
        return poison;
    }
}
