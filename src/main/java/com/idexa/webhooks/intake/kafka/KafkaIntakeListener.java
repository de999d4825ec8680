package com.idexa.webhooks.intake.kafka;

import com.idexa.webhooks.intake.DocumentEvent;
import com.idexa.webhooks.intake.EventIntakeService;
import com.idexa.webhooks.intake.EventReader;
import com.idexa.webhooks.intake.InvalidEvent;
import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.JsonFieldProblems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchConsumerAwareMessageListener;
import tools.jackson.core.JacksonException;

/**
 * Records one poll's records in as few transactions as the batch path allows (one per {@value
 * EventIntakeService#MAX_BATCH} events), then dead-letters the poison ones; the container commits the offsets
 * when this returns, so only after PostgreSQL has committed. A record without an {@code eventId} gets {@code
 * kafka:<topic>-<partition>-<offset>-<timestamp>}, so a redelivered one is recorded once. Poison (not JSON, an
 * invalid event, an unknown client) is sorted out first, so it never holds back the records beside it; anything
 * else that fails (the database is away, the dead-letter topic cannot be written for a passing reason) fails the
 * whole poll, which the error handler tries again with backoff, never skipping. Poison the dead-letter topic
 * refuses for good goes without its value, or is given up ({@link KafkaIntakeDeadLetters}). Logs name records by
 * topic, partition and offset, never by their content.
 */
final class KafkaIntakeListener implements BatchConsumerAwareMessageListener<byte[], byte[]> {

    private static final Logger log = LoggerFactory.getLogger(KafkaIntakeListener.class);

    /** Why a record went to the dead-letter topic, as the metric's tag. */
    enum Poison {
        NOT_JSON("not_json"),
        INVALID_EVENT("invalid_event"),
        UNKNOWN_CLIENT("unknown_client");

        final String tag;

        Poison(String tag) {
            this.tag = tag;
        }
    }

    private record Read(ConsumerRecord<byte[], byte[]> record, DocumentEvent event) {}

    private final EventReader reader;
    private final EventIntakeService intake;
    private final KafkaIntakeDeadLetters deadLetters;
    private final String deadLetterTopic;
    private final Map<Poison, Counter> deadLettered;
    private final Counter failedPolls;
    private final Counter deadLetterFailed;

    KafkaIntakeListener(
            EventReader reader,
            EventIntakeService intake,
            KafkaIntakeDeadLetters deadLetters,
            String deadLetterTopic,
            MeterRegistry registry) {
        this.reader = reader;
        this.intake = intake;
        this.deadLetters = deadLetters;
        this.deadLetterTopic = deadLetterTopic;
        this.deadLettered = Arrays.stream(Poison.values())
                .collect(Collectors.toMap(
                        poison -> poison,
                        poison -> Counter.builder("webhook.kafka.records.dead.lettered")
                                .description("Poison Kafka records sent to the dead-letter topic, by reason;"
                                        + " dlt_failed: given up, not even sent without their value")
                                .tag("reason", poison.tag)
                                .register(registry)));
        this.deadLetterFailed = Counter.builder("webhook.kafka.records.dead.lettered")
                .description("Poison Kafka records sent to the dead-letter topic, by reason;"
                        + " dlt_failed: given up, not even sent without their value")
                .tag("reason", "dlt_failed")
                .register(registry);
        this.failedPolls = Counter.builder("webhook.kafka.polls.failed")
                .description(
                        "Polls whose records could not be recorded (the database is away, say); each is tried again")
                .register(registry);
    }

    /**
     * {@code kafka:<topic>-<partition>-<offset>-<timestamp>}: the same for a record read again, and different for a
     * record at the same offset of a topic that was deleted and made again (its offsets start over, its timestamps
     * do not). When that is longer than an {@code eventId} may be, the topic is replaced by {@code
     * sha256:<its first 16 hex digits>} (a colon cannot be in a topic's name).
     */
    static String derivedEventId(ConsumerRecord<?, ?> record) {
        String coordinates = "-" + record.partition() + "-" + record.offset() + "-" + record.timestamp();
        String eventId = "kafka:" + record.topic() + coordinates;
        if (eventId.length() <= DocumentEvent.MAX_EVENT_ID) {
            return eventId;
        }
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(record.topic().getBytes(StandardCharsets.UTF_8));
            return "kafka:sha256:" + HexFormat.of().formatHex(digest, 0, 8) + coordinates;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    @Override
    public void onMessage(List<ConsumerRecord<byte[], byte[]>> records, Consumer<?, ?> consumer) {
        try {
            List<PoisonRecord> poison = new ArrayList<>();
            List<Read> events = new ArrayList<>(records.size());
            for (ConsumerRecord<byte[], byte[]> record : records) {
                try {
                    events.add(new Read(record, read(record)));
                } catch (PoisonRecord e) {
                    poison.add(e);
                }
            }
            for (int from = 0; from < events.size(); from += EventIntakeService.MAX_BATCH) {
                record(events.subList(from, Math.min(events.size(), from + EventIntakeService.MAX_BATCH)), poison);
            }
            for (PoisonRecord e : poison) {
                deadLetter(e, consumer);
            }
        } catch (RuntimeException e) {
            failedPolls.increment();
            ConsumerRecord<?, ?> first = records.get(0);
            log.warn(
                    "A poll of {} Kafka records (the first {}-{}@{}) was not recorded; the same records are tried again"
                            + " after a backoff: {}",
                    records.size(),
                    first.topic(),
                    first.partition(),
                    first.offset(),
                    causes(e));
            throw e;
        }
    }

    /** Logged only once the broker has the record (or it is given up); a temporary failure fails the poll. */
    private void deadLetter(PoisonRecord poison, Consumer<?, ?> consumer) {
        ConsumerRecord<byte[], byte[]> record = poison.record();
        KafkaIntakeDeadLetters.Published published = deadLetters.publish(poison, consumer);
        switch (published.outcome()) {
            case SENT -> {
                log.warn(
                        "Kafka record {}-{}@{} sent to {}: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        deadLetterTopic,
                        poison.getMessage());
                deadLettered.get(poison.poison()).increment();
            }
            case SENT_WITHOUT_VALUE -> {
                log.warn(
                        "Kafka record {}-{}@{} sent to {} without its value ({}): {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        deadLetterTopic,
                        published.failure().getClass().getName(),
                        poison.getMessage());
                deadLettered.get(poison.poison()).increment();
            }
            case FAILED -> {
                log.error(
                        "Kafka record {}-{}@{} could not be sent to {}, not even without its value ({}); it is"
                                + " skipped: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        deadLetterTopic,
                        published.failure().getClass().getName(),
                        poison.getMessage());
                deadLetterFailed.increment();
            }
        }
    }

    private DocumentEvent read(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new PoisonRecord(record, Poison.NOT_JSON, "the record has no value");
        }
        try {
            return reader.read(record.value(), derivedEventId(record));
        } catch (JacksonException e) {
            if (JsonFieldProblems.namesAField(e)) { // JSON, with a field of the wrong kind: an invalid event
                throw new PoisonRecord(record, Poison.INVALID_EVENT, describe(List.of(JsonFieldProblems.describe(e))));
            }
            // Jackson's own message may quote the value; say where it broke instead.
            String path = e.getPathReference();
            throw new PoisonRecord(
                    record,
                    Poison.NOT_JSON,
                    "the value is not JSON of an intake event"
                            + (e.getLocation() == null
                                    ? ""
                                    : " (line " + e.getLocation().getLineNr() + ", column "
                                            + e.getLocation().getColumnNr() + ")")
                            + (path == null || path.isEmpty() ? "" : " at " + path));
        } catch (InvalidEvent e) {
            throw new PoisonRecord(record, Poison.INVALID_EVENT, describe(e.problems()));
        }
    }

    /** Records the events, in one transaction; the ones the batch path refuses become poison and the rest go again. */
    private void record(List<Read> batch, List<PoisonRecord> poison) {
        List<Read> remaining = new ArrayList<>(batch);
        while (!remaining.isEmpty()) {
            try {
                intake.recordDocumentsFinished(
                        remaining.stream().map(Read::event).toList());
                return;
            } catch (InvalidEvent e) {
                Map<Integer, List<FieldProblem>> refused = e.problemsByEvent();
                if (refused.isEmpty()) {
                    throw e;
                }
                List<Read> next = new ArrayList<>(remaining.size());
                for (int i = 0; i < remaining.size(); i++) {
                    List<FieldProblem> problems = refused.get(i);
                    if (problems == null) {
                        next.add(remaining.get(i));
                    } else {
                        boolean unknownClient = problems.stream()
                                .allMatch(problem -> problem.field().equals("clientId"));
                        poison.add(new PoisonRecord(
                                remaining.get(i).record(),
                                unknownClient ? Poison.UNKNOWN_CLIENT : Poison.INVALID_EVENT,
                                describe(problems)));
                    }
                }
                remaining = next;
            }
        }
    }

    /**
     * The exceptions' classes and the SQLState, not their messages: PostgreSQL's can quote a row, and with it a
     * document.
     */
    private static String causes(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable cause = failure; cause != null && out.length() < 500; cause = cause.getCause()) {
            out.append(out.isEmpty() ? "" : " <- ").append(cause.getClass().getName());
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                out.append(" (SQLState ").append(sql.getSQLState()).append(')');
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return out.toString();
    }

    private static String describe(List<FieldProblem> problems) {
        return problems.stream()
                .map(problem -> problem.field() + ": " + problem.message())
                .collect(Collectors.joining("; "));
    }
}
