package com.idexa.webhooks.intake.kafka;

import static com.idexa.webhooks.intake.kafka.TestKafka.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Intake from a real Kafka broker (KRaft, in this JVM) into real deliveries: two consumers of one group on a
 * topic of four partitions, records recorded through the batch path, offsets committed after PostgreSQL.
 */
@EmbeddedKafka(
        partitions = KafkaIntakeTest.PARTITIONS,
        topics = {KafkaIntakeTest.TOPIC, KafkaIntakeTest.TOPIC + ".DLT"},
        // Records up to 3 MB, beyond the dead-letter producer's max.request.size set below.
        brokerProperties = {
            "message.max.bytes=3000000",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1"
        })
@TestPropertySource(
        properties = {
            "webhooks.intake.kafka.enabled=true",
            "webhooks.intake.kafka.topic=" + KafkaIntakeTest.TOPIC,
            "webhooks.intake.kafka.group-id=" + KafkaIntakeTest.GROUP,
            "webhooks.intake.kafka.concurrency=2",
            "webhooks.intake.kafka.retry-initial-interval=200ms",
            "webhooks.intake.kafka.retry-max-interval=1s",
            "webhooks.intake.kafka.dead-letter-max-request-size=1MB",
            "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"
        })
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext // stops the consumers and the broker after the class, not at the end of the run
class KafkaIntakeTest extends DeliveryTestSupport {

    static final String TOPIC = "documents-in";
    static final String GROUP = "intake-test";
    static final int PARTITIONS = 4;

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestReceiver receiver;
    private TestKafka kafka;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    ConcurrentMessageListenerContainer<byte[], byte[]> container;

    @Autowired
    KafkaIntakeHealthIndicator health;

    @Autowired
    MeterRegistry meters;

    @Autowired
    JdbcClient jdbc;

    @BeforeAll
    static void startReceiver() {
        receiver = TestReceiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @AfterEach
    void closeKafka() {
        if (kafka != null) {
            kafka.close();
        }
        container.start(); // a test that stopped it leaves it running for the next
    }

    private TestKafka kafka() {
        if (kafka == null) {
            kafka = new TestKafka(broker.getBrokersAsString());
        }
        return kafka;
    }

    private ClientService.IssuedKey clientWithWebhook() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/kafka/:id")));
        return client;
    }

    private static int deliveriesOf(String documentId) {
        return receiver.received("/kafka/" + documentId).size();
    }

    private void awaitDelivered(String... documentIds) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (String documentId : documentIds) {
                assertThat(deliveriesOf(documentId)).as(documentId).isPositive();
            }
        });
    }

    private long eventsOf(ClientService.IssuedKey client) {
        return jdbc.sql("SELECT count(*) FROM events WHERE client_id = ?")
                .param(client.clientId())
                .query(Long.class)
                .single();
    }

    /** The service's health as a whole; readiness leaves Kafka out (the API and HTTP intake do not need it). */
    private void awaitHealth(int status) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() ->
                        assertThat(http().get("/actuator/health").status()).isEqualTo(status));
        assertThat(http().get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    void deliversPublishedRecordsEndToEnd() {
        ClientService.IssuedKey client = clientWithWebhook();
        String key = client.clientId().toString();
        String first = "e2e-" + UUID.randomUUID();
        String second = "e2e-" + UUID.randomUUID();

        kafka().publish(TOPIC, key, event("evt-" + first, client.clientId(), first));
        kafka().publish(TOPIC, key, event("evt-" + second, client.clientId(), second));

        awaitDelivered(first, second);
        assertThat(receiver.received("/kafka/" + first).get(0).body()).contains("\"id\": \"" + first + "\"");
        assertThat(eventsOf(client)).isEqualTo(2);
    }

    @Test
    void recordsTheSameRecordPublishedTwiceOnce() {
        ClientService.IssuedKey client = clientWithWebhook();
        String key = client.clientId().toString();
        String document = "twice-" + UUID.randomUUID();
        String behind = "behind-" + UUID.randomUUID();

        kafka().publish(TOPIC, key, event("evt-" + document, client.clientId(), document));
        kafka().publish(TOPIC, key, event("evt-" + document, client.clientId(), document));
        kafka().publish(TOPIC, key, event("evt-" + behind, client.clientId(), behind));

        // One key, one partition, read in order: once the record behind them is delivered, both copies were read.
        awaitDelivered(document, behind);
        assertThat(eventsOf(client)).isEqualTo(2);
        assertThat(deliveriesOf(document)).isEqualTo(1);
    }

    @Test
    void recordsARecordReadAgainAfterARestartBeforeTheCommitOnce() {
        ClientService.IssuedKey client = clientWithWebhook();
        String key = client.clientId().toString();
        String document = "restart-" + UUID.randomUUID();

        // No eventId: the record's own coordinates make it one.
        RecordMetadata published = kafka().publish(TOPIC, key, event(null, client.clientId(), document));
        TopicPartition partition = new TopicPartition(TOPIC, published.partition());
        awaitDelivered(document);
        await().atMost(WAIT).until(() -> kafka().committed(GROUP).getOrDefault(partition, 0L) > published.offset());

        container.stop();
        awaitHealth(503);
        // As if the consumer had died after PostgreSQL committed and before Kafka did.
        await().atMost(WAIT)
                .ignoreExceptions()
                .untilAsserted(() -> kafka().rewind(GROUP, partition, published.offset()));
        container.start();

        String behind = "behind-" + UUID.randomUUID();
        kafka().publish(TOPIC, key, event("evt-" + behind, client.clientId(), behind));
        awaitDelivered(behind);
        awaitHealth(200);
        assertThat(eventsOf(client)).isEqualTo(2);
        assertThat(deliveriesOf(document)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT event_key FROM events WHERE client_id = ? AND document_id = ?")
                        .param(client.clientId())
                        .param(document)
                        .query(String.class)
                        .single())
                .isEqualTo("kafka:" + TOPIC + "-" + published.partition() + "-" + published.offset() + "-"
                        + published.timestamp());
    }

    @Test
    void sendsPoisonRecordsToTheDeadLetterTopicAndDeliversTheRecordsBehindThem(CapturedOutput output) {
        ClientService.IssuedKey client = clientWithWebhook();
        String key = client.clientId().toString();
        String marker = "poison-" + UUID.randomUUID();
        String before = "before-" + UUID.randomUUID();
        String after = "after-" + UUID.randomUUID();
        double deadLettered = deadLettered();

        kafka().publish(TOPIC, key, event("evt-" + before, client.clientId(), before));
        kafka().publish(TOPIC, key, "not json " + marker + " ssn 123-45-6789");
        kafka().publish(
                        TOPIC,
                        key,
                        "{\"eventId\": \"" + marker + "-type\", \"clientId\": \"" + client.clientId()
                                + "\", \"type\": 7, \"document\": {\"id\": \"x\", \"ssn\": \"123-45-6789\"}}");
        UUID nobody = UUID.randomUUID();
        kafka().publish(TOPIC, key, event(marker + "-client", nobody, "x"));
        kafka().publish(TOPIC, key, event("evt-" + before, client.clientId(), marker + "-another-document"));
        kafka().publish(
                        TOPIC,
                        key,
                        "{\"eventId\": \"" + marker + "-string-type\", \"clientId\": \"" + client.clientId()
                                + "\", \"type\": \"0\", \"document\": {\"id\": \"x\"}}");
        kafka().publish(TOPIC, key, event("evt-" + after, client.clientId(), after));

        awaitDelivered(before, after);
        assertThat(eventsOf(client)).isEqualTo(2);

        List<ConsumerRecord<String, String>> dead = kafka()
                .readUntil(
                        TOPIC + ".DLT",
                        records -> records.stream()
                                        .filter(record -> record.value() != null
                                                && record.value().contains(marker))
                                        .map(ConsumerRecord::value)
                                        .distinct()
                                        .count()
                                == 5)
                .stream()
                .filter(record -> record.value() != null && record.value().contains(marker))
                .toList();
        assertThat(dead)
                .extracting(record -> header(record, KafkaHeaders.DLT_EXCEPTION_MESSAGE))
                .anySatisfy(reason -> assertThat(reason).startsWith("the value is not JSON of an intake event"))
                .anySatisfy(reason -> assertThat(reason).startsWith("type: type must be 0"))
                .anySatisfy(reason -> assertThat(reason).isEqualTo("clientId: no client has the id " + nobody))
                .anySatisfy(
                        reason -> assertThat(reason).startsWith("eventId: was recorded before with another document"))
                .anySatisfy(reason -> assertThat(reason).isEqualTo("type: must be an integer"));
        assertThat(dead).allSatisfy(record -> {
            assertThat(record.key()).isEqualTo(key);
            assertThat(header(record, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(TOPIC);
        });
        assertThat(deadLettered()).isGreaterThanOrEqualTo(deadLettered + 5);
        assertThat(output.getAll())
                .contains("sent to " + TOPIC + ".DLT: clientId: no client has the id " + nobody)
                .doesNotContain("123-45-6789");
    }

    @Test
    void sendsAPoisonRecordTooLargeForTheDeadLetterProducerWithoutItsValueAndDeliversTheRecordsBehindIt(
            CapturedOutput output) {
        ClientService.IssuedKey client = clientWithWebhook();
        String key = client.clientId().toString();
        String after = "after-large-" + UUID.randomUUID();

        // 1.5 MB that is not JSON: the broker takes it (3 MB), the dead-letter producer cannot send it (1 MB).
        RecordMetadata large = kafka().publish(TOPIC, key, "x".repeat(1_500_000));
        kafka().publish(TOPIC, key, event("evt-" + after, client.clientId(), after));

        awaitDelivered(after);
        ConsumerRecord<String, String> dead = kafka()
                .readUntil(
                        TOPIC + ".DLT", records -> records.stream().anyMatch(record -> isDeadLetterOf(record, large)))
                .stream()
                .filter(record -> isDeadLetterOf(record, large))
                .findFirst()
                .orElseThrow();
        assertThat(dead.value()).isNull();
        assertThat(dead.key()).isEqualTo(key);
        assertThat(header(dead, KafkaIntakeDeadLetters.VALUE_DROPPED)).startsWith("RecordTooLargeException: ");
        assertThat(header(dead, KafkaIntakeDeadLetters.ORIGINAL_VALUE_SIZE)).isEqualTo("1500000");
        assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_MESSAGE))
                .startsWith("the value is not JSON of an intake event");
        assertThat(output.getAll())
                .contains("Kafka record " + TOPIC + "-" + large.partition() + "@" + large.offset() + " sent to " + TOPIC
                        + ".DLT without its value (org.apache.kafka.common.errors.RecordTooLargeException)");
    }

    private static boolean isDeadLetterOf(ConsumerRecord<?, ?> record, RecordMetadata original) {
        Header topic = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC);
        Header partition = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION);
        Header offset = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET);
        return topic != null
                && partition != null
                && offset != null
                && new String(topic.value(), StandardCharsets.UTF_8).equals(original.topic())
                && ByteBuffer.wrap(partition.value()).getInt() == original.partition()
                && ByteBuffer.wrap(offset.value()).getLong() == original.offset();
    }

    @Test
    void skipsTheRecordsOfAnAbortedProducerTransaction() {
        ClientService.IssuedKey client = clientWithWebhook();
        String key = client.clientId().toString();
        String aborted = "aborted-" + UUID.randomUUID();
        String behind = "behind-" + UUID.randomUUID();

        kafka().publishAborted(TOPIC, key, event("evt-" + aborted, client.clientId(), aborted));
        kafka().publish(TOPIC, key, event("evt-" + behind, client.clientId(), behind));

        awaitDelivered(behind);
        assertThat(eventsOf(client)).isEqualTo(1);
        assertThat(deliveriesOf(aborted)).isZero();
    }

    @Test
    void twoConsumersOfOneGroupShareThePartitions() {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(container.getContainers()).hasSize(2);
            assertThat(container.getContainers())
                    .allSatisfy(consumer ->
                            assertThat(consumer.getAssignedPartitions()).hasSize(PARTITIONS / 2));
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(health.health().getDetails()).containsEntry("joined", 2).containsEntry("concurrency", 2);
        });
        assertThat(health.health().getDetails()).containsEntry("assignedPartitions", PARTITIONS);
        assertThat(health.health().getDetails().get("partitions"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .hasSize(PARTITIONS);

        ClientService.IssuedKey client = clientWithWebhook();
        String[] documents = new String[12];
        for (int i = 0; i < documents.length; i++) {
            documents[i] = "shared-" + i + "-" + UUID.randomUUID();
            // Keys spread the records over every partition (the producer's contract asks for the client id).
            kafka().publish(TOPIC, "key-" + i, event("evt-" + documents[i], client.clientId(), documents[i]));
        }
        awaitDelivered(documents);
        assertThat(eventsOf(client)).isEqualTo(documents.length);
        assertThat(kafka().committed(GROUP)).hasSize(PARTITIONS);
    }

    private double deadLettered() {
        return meters.find("webhook.kafka.records.dead.lettered").counters().stream()
                .mapToDouble(counter -> counter.count())
                .sum();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
