package com.idexa.webhooks.intake.kafka;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The {@code webhooks.intake.kafka.*} settings; the connection itself (bootstrap servers, security) is Spring
 * Boot's {@code spring.kafka.*}. Each one is documented in the README's configuration table.
 *
 * @param enabled whether this instance consumes the topic
 * @param topic the topic the platform publishes document events to; poison records go to {@code <topic>.DLT}
 * @param groupId the consumer group: every instance in it shares the topic's partitions
 * @param concurrency consumers on this instance (each takes its share of the partitions)
 * @param retryInitialInterval first wait before a batch that failed (the database is away, say) is tried again
 * @param retryMaxInterval longest wait between tries; a failing batch is tried again for ever, never skipped
 * @param deadLetterMaxRequestSize the dead-letter producer's {@code max.request.size}: the largest poison record it
 *     sends whole (a larger one goes without its value)
 */
@Validated
@ConfigurationProperties("webhooks.intake.kafka")
record KafkaIntakeProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("document-events") @NotBlank String topic,
        @DefaultValue("document-webhooks") @NotBlank String groupId,
        @DefaultValue("1") @Min(1) int concurrency,
        @DefaultValue("1s") Duration retryInitialInterval,
        @DefaultValue("30s") Duration retryMaxInterval,
        @DefaultValue("10MB") DataSize deadLetterMaxRequestSize) {

    String deadLetterTopic() {
        return topic + ".DLT";
    }
}
