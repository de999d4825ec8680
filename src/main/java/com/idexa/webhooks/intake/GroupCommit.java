package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.DatabaseOutage;
import com.idexa.webhooks.web.FieldProblem;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records single events that arrive together in one transaction (a group commit), so that a hundred platform
 * requests at once cost one transaction, not a hundred: alone, each pays for its statements, round trips and
 * durable commit, and single-event intake was bounded by that (about 250 events/s on two cores, with every pooled
 * connection busy and deliveries starved of them).
 *
 * <p>One writer thread takes whatever is waiting (up to {@value EventIntakeService#MAX_BATCH} events and
 * {@link #MAX_GROUP_CHARS} characters of documents) and records it as a batch while the next requests wait for the
 * following transaction: groups grow with the load, and no request waits for a timer. Each request is answered
 * only once its transaction has committed, exactly as it would have been alone. The writer never waits for another
 * intake of the same key and never records an event alone: such events are handed back once the rest of their
 * group is committed, and the request records its own, on its thread, in its own transaction (the single call as it
 * was):
 *
 * <ul>
 *   <li>an event refused for itself (an unknown client, an {@code eventId} reused with another document) is taken
 *       out, the others are recorded together again, and then it is handed back, so it gets the single call's
 *       answer; of two events with one key, the first to arrive keeps it;
 *   <li>an event whose key another transaction is recording (a replay racing its original, a batch) is taken out
 *       (the group takes its keys' locks only if they are free): a slow key holds up its own request only;
 *   <li>an event whose document is larger than a group may carry, and any group that fails for a reason other than
 *       the database (a bug, the heap), is handed back;
 *   <li>a database outage fails the whole group: each request answers 503, as it would have alone;
 *   <li>a malformed event never joins a group: it is recorded alone, which answers as before (404 for an unknown
 *       client first, then 400). Valid events are checked twice, here and in the transaction: a parse of the
 *       document's {@code id}.
 * </ul>
 *
 * <p>When the writer is not running (stopping, stopped, interrupted), events are recorded alone, as before.
 *
 * <p>Hand-written because no library commits JDBC work in groups with an answer per caller; the shape (a queue, a
 * writer, every waiter answered whatever happens) is that of the dispatcher's {@code OutcomeRecorder}.
 */
@Component
class GroupCommit implements SmartLifecycle {

    /** Stops after the web server, whose graceful shutdown lets the requests waiting here finish first. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    /**
     * Most document text in one group, in characters: grouping saves per-transaction work, which a large document
     * does not notice; large ones go alone, and a group's arrays stay small beside the heap.
     */
    static final int MAX_GROUP_CHARS = 1 << 20;

    /** The writer's answer that the request must record its event itself, alone, as it would have without groups. */
    private static final RecordedEvent ALONE = new RecordedEvent(null, null);

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** An event and its request's answer; equal only to itself (the queue removes by identity, not by document). */
    private static final class Waiting {
        private final DocumentEvent event;
        private final CompletableFuture<RecordedEvent> answer = new CompletableFuture<>();

        Waiting(DocumentEvent event) {
            this.event = event;
        }

        DocumentEvent event() {
            return event;
        }

        CompletableFuture<RecordedEvent> answer() {
            return answer;
        }

        int chars() {
            return event.document() == null ? 0 : event.document().length();
        }
    }

    private final EventIntakeService intake;
    private final JsonMapper json;
    /** Bounded in practice by the web server's request threads: each waits here with at most one event. */
    private final BlockingQueue<Waiting> waiting = new LinkedBlockingQueue<>(EventIntakeService.MAX_BATCH);

    private final DistributionSummary groupSizes;
    /** The writer taking events now; null before the first start. */
    private volatile Writer writer;

    GroupCommit(EventIntakeService intake, JsonMapper json, MeterRegistry registry) {
        this.intake = intake;
        this.json = json;
        this.groupSizes = DistributionSummary.builder("webhook.intake.group.size")
                .description("Single events recorded per intake transaction")
                .baseUnit("events")
                .register(registry);
    }

    /**
     * Records one event, in a transaction shared with the events that arrived meanwhile; answers as
     * {@link EventIntakeService#recordDocumentFinished} does, once the transaction has committed.
     */
    RecordedEvent record(DocumentEvent event) {
        List<FieldProblem> problems = new ArrayList<>();
        EventValidator.check(json, event, "", problems);
        Writer current = writer;
        if (!problems.isEmpty() || current == null || !current.open) {
            return intake.recordDocumentFinished(event);
        }
        Waiting entry = new Waiting(event);
        if (!waiting.offer(entry)) {
            return intake.recordDocumentFinished(event);
        }
        if (!current.open && waiting.remove(entry)) { // the writer closed meanwhile and its last round missed it
            return intake.recordDocumentFinished(event);
        }
        try {
            RecordedEvent answer = entry.answer().join(); // the writer answers every entry it takes, whatever happens
            return answer == ALONE ? intake.recordDocumentFinished(event) : answer;
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException refused) {
                throw refused; // the writer's exception, as the request would have thrown it alone
            }
            throw e;
        }
    }

    /** How many events wait for the next transaction (tests). */
    int waiting() {
        return waiting.size();
    }

    /**
     * One writer's loop. Each start makes a new one; a writer that outlived its stop (a group stuck on the database)
     * finishes what it took and whatever waits, with its own state, beside its successor.
     */
    private final class Writer implements Runnable {

        /** Whether events may join a group: this writer is running and will take them. */
        volatile boolean open = true;

        /** Taken from the queue but too big for the group being made: the first of the next. */
        private Waiting carried;

        final Thread thread = new Thread(this, "intake-group-commit");

        @Override
        public void run() {
            try {
                while (open || !waiting.isEmpty() || carried != null) {
                    List<Waiting> group = nextGroup();
                    if (group.size() == 1 && group.get(0).chars() > MAX_GROUP_CHARS) {
                        handBack(group.get(0)); // large: recorded on its own request's thread, beside the groups
                    } else if (!group.isEmpty()) {
                        recordTogether(group);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // whoever interrupted wants the writer gone
            } finally {
                open = false; // however the loop ended: from now on events are recorded alone
                if (carried != null) {
                    handBack(carried);
                    carried = null;
                }
                List<Waiting> left = new ArrayList<>();
                waiting.drainTo(left);
                left.forEach(GroupCommit::handBack);
            }
        }

        /** Waits up to 100 ms for a first event, then takes what fits with it. */
        private List<Waiting> nextGroup() throws InterruptedException {
            List<Waiting> group = new ArrayList<>();
            Waiting first = carried != null ? carried : waiting.poll(100, TimeUnit.MILLISECONDS);
            carried = null;
            if (first == null) {
                return group;
            }
            group.add(first);
            long chars = first.chars();
            while (group.size() < EventIntakeService.MAX_BATCH) {
                Waiting next = waiting.poll();
                if (next == null) {
                    break;
                }
                if (chars + next.chars() > MAX_GROUP_CHARS) {
                    carried = next;
                    break;
                }
                group.add(next);
                chars += next.chars();
            }
            return group;
        }
    }

    /**
     * Records the group in one transaction. An event that cannot be recorded with the others (refused for itself, or
     * its key being recorded by another transaction right now) is taken out and the rest are tried together again;
     * those taken out are then handed back, once the rest are committed, so of two events with one key the first
     * to arrive keeps it. Only a database outage fails them all.
     */
    private void recordTogether(List<Waiting> group) {
        groupSizes.record(group.size());
        List<Waiting> together = group;
        List<Waiting> takenOut = new ArrayList<>();
        try {
            while (!together.isEmpty()) {
                try {
                    List<RecordedEvent> results = intake.recordDocumentsFinishedWithoutWaiting(
                            together.stream().map(Waiting::event).toList());
                    for (int i = 0; i < together.size(); i++) {
                        together.get(i).answer().complete(results.get(i));
                    }
                    together = List.of();
                } catch (InvalidEvent refused) { // EventIdReused included; nothing was recorded
                    Map<Integer, List<FieldProblem>> byEvent = refused.problemsByEvent();
                    together = takeOut(together, byEvent::containsKey, takenOut);
                } catch (KeysBusy busy) { // nothing was recorded; alone, each waits for its key as before
                    List<Waiting> tried = together;
                    together = takeOut(
                            tried,
                            i -> busy.keys()
                                    .contains(new EventRepository.EventKey(
                                            tried.get(i).event().clientId(),
                                            tried.get(i).event().eventId())),
                            takenOut);
                }
            }
        } catch (RuntimeException failed) {
            if (DatabaseOutage.causedBy(failed)) { // the same answer for all: a 503 each
                group.forEach(entry -> entry.answer().completeExceptionally(failed));
            } else { // one event's own trouble, or a bug: alone (below), it stays that event's
                log.warn( // classes only: a message can quote a document
                        "Recording {} events together failed ({}); each is recorded alone",
                        group.size(),
                        failed.getClass().getName());
            }
        } catch (Error e) { // out of memory, say: alone (below), each has its own request's share
            log.error("Recording {} events together failed; each is recorded alone", group.size(), e);
        } finally {
            group.forEach(GroupCommit::handBack); // whoever is still unanswered records alone
        }
    }

    /**
     * The entries but those whose index {@code out} names, which go to {@code takenOut}; when none is named (a
     * refusal that names no event), all of them go.
     */
    private static List<Waiting> takeOut(List<Waiting> entries, IntPredicate out, List<Waiting> takenOut) {
        List<Waiting> rest = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            (out.test(i) ? takenOut : rest).add(entries.get(i));
        }
        if (rest.size() == entries.size()) {
            takenOut.addAll(rest);
            return List.of();
        }
        return rest;
    }

    /** The request records its event alone, on its own thread (an entry already answered keeps its answer). */
    private static void handBack(Waiting entry) {
        entry.answer().complete(ALONE);
    }

    @Override
    public void start() {
        if (isRunning()) {
            return;
        }
        Writer started = new Writer();
        started.thread.setDaemon(true);
        writer = started;
        started.thread.start();
    }

    /** Records what is still waiting, then ends; events that come later are recorded alone. */
    @Override
    public void stop() {
        Writer stopping = writer;
        if (stopping == null) {
            return;
        }
        stopping.open = false;
        try {
            stopping.thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        Writer current = writer; // a writer that ended by itself (interrupted) is not running: start makes another
        return current != null && current.open;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
