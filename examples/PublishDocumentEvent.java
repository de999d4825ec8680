// Publishes one finished document to document-webhooks' Kafka intake, as the platform would.
//
//   curl -sO https://repo1.maven.org/maven2/org/apache/kafka/kafka-clients/4.1.2/kafka-clients-4.1.2.jar
//   curl -sO https://repo1.maven.org/maven2/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar
//   java -cp kafka-clients-4.1.2.jar:slf4j-api-2.0.17.jar examples/PublishDocumentEvent.java \
//       localhost:9092 document-events <clientId> evt-1 doc-1
//
// The key is the client id (one client's events stay in one partition, in order); the value is the body of
// POST /internal/document_events; no header is needed. acks=all and the idempotent producer (Kafka's default)
// mean an acknowledged record is on the brokers and a producer retry does not write it twice.
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

public class PublishDocumentEvent {
    public static void main(String[] args) throws Exception {
        String bootstrapServers = args[0], topic = args[1], clientId = args[2], eventId = args[3], documentId = args[4];
        Properties settings = new Properties();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        String value = """
                {"eventId": "%s", "clientId": "%s", "type": 0,
                 "document": {"id": "%s", "status": 1, "statusDesc": "FINISHED"}}"""
                .formatted(eventId, clientId, documentId);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, clientId, value)).get();
            System.out.printf("published %s to %s-%d@%d%n", eventId, sent.topic(), sent.partition(), sent.offset());
        }
    }
}
