package com.idexa.webhooks.intake.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/** Without {@code webhooks.intake.kafka.enabled} no consumer exists, nothing waits for a broker, readiness is UP. */
class KafkaIntakeOffByDefaultTest extends IntegrationTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    KafkaIntakeHealthIndicator health;

    @Test
    void startsNoConsumerAndStaysReadyWhenNotEnabled() {
        assertThat(context.getBeansOfType(MessageListenerContainer.class)).isEmpty();
        assertThat(context.getBeansOfType(KafkaIntakeConsumers.class)).isEmpty();
        assertThat(context.getBeansOfType(KafkaListenerEndpointRegistry.class).values())
                .allSatisfy(
                        registry -> assertThat(registry.getListenerContainers()).isEmpty());
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(http().get("/actuator/health/readiness").status()).isEqualTo(200);
    }
}
