package com.idexa.webhooks.intake.kafka;

import static com.idexa.webhooks.intake.kafka.TestKafka.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.TcpProxy;
import com.idexa.webhooks.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Intake from Kafka while PostgreSQL is away, through a {@link TcpProxy} that cuts every connection: the
 * consumer keeps trying the same records with backoff and commits nothing; once the database is back every
 * record is recorded, none skipped, and the offsets move past them.
 */
@EmbeddedKafka(partitions = 2, topics = KafkaIntakeDatabaseOutageTest.TOPIC)
@SpringBootTest(
        properties = {
            "webhooks.encryption-key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "webhooks.delivery.enabled=false",
            "webhooks.intake.kafka.enabled=true",
            "webhooks.intake.kafka.topic=" + KafkaIntakeDatabaseOutageTest.TOPIC,
            "webhooks.intake.kafka.group-id=" + KafkaIntakeDatabaseOutageTest.GROUP,
            "webhooks.intake.kafka.retry-initial-interval=200ms",
            "webhooks.intake.kafka.retry-max-interval=1s",
            "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
            "spring.datasource.hikari.connection-timeout=1000"
        })
@DirtiesContext // stops the consumer and the broker after the class, not at the end of the run
class KafkaIntakeDatabaseOutageTest {

    static final String TOPIC = "documents-outage";
    static final String GROUP = "outage-test";
    private static final int RECORDS = 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final TcpProxy database =
            TcpProxy.inFrontOf(TestDatabase.get().url());

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        database.serveAsDataSource(registry);
    }

    @AfterAll
    static void closeTheProxy() {
        database.close();
    }

    @Autowired
    ClientService clients;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    KafkaIntakeHealthIndicator health;

    @Autowired
    MeterRegistry meters;

    @Autowired
    JdbcClient jdbc;

    private double failedPolls() {
        return meters.get("webhook.kafka.polls.failed").counter().count();
    }

    private long committed(TestKafka kafka) {
        return kafka.committed(GROUP).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    @Test
    void recordsEveryRecordOnceTheDatabaseIsBackAndCommitsNothingBefore() {
        ClientService.IssuedKey client = clients.registerClient("Kafka outage");
        await().atMost(WAIT).until(() -> health.health().getStatus().equals(Status.UP));

        try (TestKafka kafka = new TestKafka(broker.getBrokersAsString())) {
            database.cut();
            double failedBefore = failedPolls();
            List<String> eventIds = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                eventIds.add("outage-" + i);
                kafka.publish(TOPIC, "key-" + i, event("outage-" + i, client.clientId(), "doc-" + i));
            }

            // The same poll fails again and again, and nothing is committed meanwhile.
            await().atMost(WAIT).until(() -> failedPolls() >= failedBefore + 3);
            assertThat(committed(kafka)).isZero();

            database.restore();

            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> committed(kafka) == RECORDS);
            assertThat(jdbc.sql("SELECT event_key FROM events WHERE client_id = ? ORDER BY event_key")
                            .param(client.clientId())
                            .query(String.class)
                            .list())
                    .containsExactlyInAnyOrderElementsOf(eventIds);
        }
    }
}
