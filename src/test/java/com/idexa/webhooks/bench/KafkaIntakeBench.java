package com.idexa.webhooks.bench;

import com.idexa.webhooks.bench.BenchService.Client;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * 9. Intake from Kafka: a KRaft broker in the benchmark's JVM, a second service instance consuming its topic
 * ({@code webhooks.intake.kafka.enabled}) on the same PostgreSQL, 50,000 records for 100 clients published as
 * fast as the producer goes; measured: records consumed into durable events and deliveries per second (the
 * group's committed offsets, which move only after PostgreSQL committed), and their deliveries arriving.
 */
final class KafkaIntakeBench {

    static final String TOPIC = "bench-documents";
    static final String GROUP = "document-webhooks";
    static final int PARTITIONS = 4;
    static final int CONSUMERS = 2;

    private final Path jar;
    private final String jdbcUrl;
    private final String encryptionKey;
    private final Report report;
    private final Load load;
    private final List<Client> clients;

    /** {@code first} is the benchmark's service: the second instance shares its database and its encryption key. */
    KafkaIntakeBench(Path jar, String jdbcUrl, BenchService first, Report report, Load load, List<Client> clients) {
        this.jar = jar;
        this.jdbcUrl = jdbcUrl;
        this.encryptionKey = first.setting("webhooks.encryption-key", null);
        this.report = report;
        this.load = load;
        this.clients = clients;
    }

    private record Consumed(double publishedPerSecond, double consumedPerSecond, double deliveredPerSecond) {}

    void run() throws Exception {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, TOPIC, TOPIC + ".DLT");
        broker.afterPropertiesSet();
        try (BenchService consumer = BenchService.start(
                        jar,
                        jdbcUrl,
                        Map.of(
                                "webhooks.encryption-key",
                                encryptionKey,
                                "webhooks.intake.kafka.enabled",
                                "true",
                                "webhooks.intake.kafka.topic",
                                TOPIC,
                                "webhooks.intake.kafka.concurrency",
                                Integer.toString(CONSUMERS),
                                "spring.kafka.bootstrap-servers",
                                broker.getBrokersAsString()),
                        "bench-service-kafka.log");
                KafkaProducer<String, String> producer = producer(broker.getBrokersAsString());
                Admin admin =
                        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            publishAndConsume("k9warm", 10_000, producer, admin); // JIT warm-up, not measured
            int records = 50_000;
            Consumed measured = publishAndConsume("k9", records, producer, admin);
            report.result(
                    "9. Kafka intake: 50,000 records, " + PARTITIONS + " partitions, " + CONSUMERS
                            + " consumers, 100 clients",
                    Report.perSecond(measured.consumedPerSecond())
                            + " consumed into durable events and deliveries (offsets committed after PostgreSQL;"
                            + " producer " + Report.perSecond(measured.publishedPerSecond()) + " in the same JVM)");
            report.result(
                    "9. Kafka intake: their deliveries arriving (two instances dispatching)",
                    Report.perSecond(measured.deliveredPerSecond()));
        } finally {
            broker.destroy();
        }
    }

    private static KafkaProducer<String, String> producer(String brokers) {
        Properties settings = new Properties();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
    }

    private Consumed publishAndConsume(String prefix, int records, KafkaProducer<String, String> producer, Admin admin)
            throws Exception {
        long target = committed(admin) + records;
        AtomicReference<Exception> failed = new AtomicReference<>();
        long begin = System.nanoTime();
        for (int i = 0; i < records; i++) {
            String client = clients.get(i % 100).id().toString();
            String documentId = prefix + "-" + i;
            String value = "{\"eventId\": \"" + documentId + "\", \"clientId\": \"" + client
                    + "\", \"type\": 0, \"document\": " + Load.document(documentId) + "}";
            producer.send(new ProducerRecord<>(TOPIC, client, value), (metadata, exception) -> {
                if (exception != null) {
                    failed.compareAndSet(null, exception);
                }
            });
        }
        producer.flush();
        double published = (System.nanoTime() - begin) / 1e9;
        if (failed.get() != null) {
            throw failed.get();
        }
        long deadline = System.nanoTime() + Scenarios.LIMIT.toNanos();
        long offsets;
        while ((offsets = committed(admin)) < target && System.nanoTime() < deadline) {
            Thread.sleep(50); // watching another process's progress: there is nothing to wait on
        }
        double consumed = (System.nanoTime() - begin) / 1e9;
        if (offsets < target) {
            throw new IllegalStateException("only " + (records - (target - offsets)) + " of " + records
                    + " consumed within " + Scenarios.LIMIT);
        }
        Load.Arrived arrived = load.awaitArrivals(id -> id.startsWith(prefix + "-"), records, Scenarios.LIMIT);
        double delivered = (arrived.last() - begin) / 1e9;
        System.out.printf(
                "%s: %d records published in %.1f s, consumed in %.1f s, delivered in %.1f s%n",
                prefix, records, published, consumed, delivered);
        return new Consumed(records / published, records / consumed, arrived.count() / delivered);
    }

    private static long committed(Admin admin) throws Exception {
        return admin
                .listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS)
                .values()
                .stream()
                .filter(offset -> offset != null)
                .mapToLong(OffsetAndMetadata::offset)
                .sum();
    }
}
