package com.idexa.webhooks.intake.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Kafka intake on, its broker unreachable (nothing listens on the port): the consumer keeps trying to join, and
 * the instance is ready all the same, since HTTP intake and the API do not need Kafka; the details say so.
 */
@TestPropertySource(
        properties = {
            "webhooks.intake.kafka.enabled=true",
            "webhooks.intake.kafka.concurrency=2",
            "spring.kafka.bootstrap-servers=127.0.0.1:9"
        })
@DirtiesContext // stops the consumers, which would go on trying to connect
class KafkaIntakeBrokerUnreachableTest extends IntegrationTest {

    @Autowired
    KafkaIntakeHealthIndicator health;

    @Test
    void staysReadyWhileTheConsumersCannotReachTheBroker() {
        assertThat(http().get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(http().get("/actuator/health").status())
                .as("kafkaIntake, in the overall health, is UP while it waits for the broker")
                .isEqualTo(200);
        Health kafka = health.health();
        assertThat(kafka.getStatus()).isEqualTo(Status.UP);
        assertThat(kafka.getDetails())
                .containsEntry("stopped", false)
                .containsEntry("concurrency", 2)
                .containsEntry("joined", 0)
                .containsEntry("assignedPartitions", 0);
    }
}
