package com.idexa.webhooks.intake;

import com.idexa.webhooks.config.WebhooksProperties;
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
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records single events that arrive together in one transaction (a group commit), so that a hundred platform
 * requests at once cost one transaction, not a hundred: alone, each pays for its statements, round trips and
 * durable commit, and single-event intake was bounded by that (about 250 events/s on two cores, with every pooled
 * connection busy and deliveries starved of them).
 *
 * <p>One writer thread takes whatever is waiting (up to {@value EventIntakeService#MAX_BATCH} events, and no more
 * document bytes than one intake request may carry) and records it as a batch while the next requests wait for the
 * following transaction: groups grow with the load, and no request waits for a timer. Each request is answered
 * only once its transaction has committed, exactly as it would have been alone:
 *
 * <ul>
 *   <li>an event refused for itself (an unknown client, an {@code eventId} reused with another document) is taken
 *       out of its group, the others are recorded together again, and the refused one is then recorded alone, so
 *       it gets the single call's answer; the first of two events with one key keeps it, as in arrival order;
 *   <li>an event that fails for any other reason of its own makes its group record one event per transaction;
 *   <li>a database outage fails the whole group: each request answers 503, as it would have alone;
 *   <li>a malformed event never joins a group: it is recorded alone, which answers as before (404 for an unknown
 *       client first, then 400). Valid events are checked twice, here and in the transaction: a parse of the
 *       document's {@code id}.
 * </ul>
 *
 * <p>One writer means one transaction at a time: a group waiting on a lock (another intake of the same key, in a
 * batch) makes the requests behind it wait too, up to the statement timeout, after which the group answers 503.
 * When the writer is not running (stopping, stopped, interrupted), events are recorded alone, as before.
 *
 * <p>Hand-written because no library commits JDBC work in groups with an answer per caller; the shape (a queue, a
 * writer, every waiter answered whatever happens) is that of the dispatcher's {@code OutcomeRecorder}.
 */
@Component
class GroupCommit implements SmartLifecycle {

    /** Stops after the web server, whose graceful shutdown lets the requests waiting here finish first. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private record Waiting(DocumentEvent event, CompletableFuture<RecordedEvent> answer) {
        int bytes() {
            return event.document() == null ? 0 : event.document().length();
        }
    }

    private final EventIntakeService intake;
    private final JsonMapper json;
    private final long maxGroupChars;
    /** Bounded in practice by the web server's request threads: each waits here with at most one event. */
    private final BlockingQueue<Waiting> waiting = new LinkedBlockingQueue<>(EventIntakeService.MAX_BATCH);

    private final DistributionSummary groupSizes;
    /** Whether events may join a group: the writer is running and will take them. */
    private volatile boolean open;

    private volatile boolean running;
    private Thread writer;
    /** Taken from the queue but too big for the group being made: the first of the next (writer thread only). */
    private Waiting carried;

    GroupCommit(EventIntakeService intake, JsonMapper json, WebhooksProperties properties, MeterRegistry registry) {
        this.intake = intake;
        this.json = json;
        this.maxGroupChars = properties.api().intakeMaxBodySize().toBytes();
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
        if (!problems.isEmpty() || !open) {
            return intake.recordDocumentFinished(event);
        }
        Waiting entry = new Waiting(event, new CompletableFuture<>());
        if (!waiting.offer(entry)) {
            return intake.recordDocumentFinished(event);
        }
        if (!open && waiting.remove(entry)) { // the writer closed meanwhile and its last round missed it
            return intake.recordDocumentFinished(event);
        }
        try {
            return entry.answer().join(); // the writer answers every entry it takes, whatever happens
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

    private void write() {
        try {
            while (open || !waiting.isEmpty() || carried != null) {
                List<Waiting> group = nextGroup();
                if (!group.isEmpty()) {
                    recordTogether(group);
                }
            }
        } catch (InterruptedException e) {
            open = false; // whoever interrupted wants the writer gone: what waits is recorded alone, below
        } finally {
            open = false; // however the loop ended: from now on events are recorded alone
            boolean interrupted = Thread.interrupted(); // recorded alone even so, then the flag goes back
            List<Waiting> left = new ArrayList<>();
            if (carried != null) {
                left.add(carried);
                carried = null;
            }
            waiting.drainTo(left);
            left.forEach(this::recordAlone);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
        long chars = first.bytes();
        while (group.size() < EventIntakeService.MAX_BATCH) {
            Waiting next = waiting.poll();
            if (next == null) {
                break;
            }
            if (chars + next.bytes() > maxGroupChars) {
                carried = next;
                break;
            }
            group.add(next);
            chars += next.bytes();
        }
        return group;
    }

    private void recordTogether(List<Waiting> group) {
        groupSizes.record(group.size());
        List<Waiting> alone = new ArrayList<>();
        List<Waiting> together = group;
        try {
            while (together.size() > 1) {
                try {
                    List<RecordedEvent> results = intake.recordDocumentsFinished(
                            together.stream().map(Waiting::event).toList());
                    for (int i = 0; i < together.size(); i++) {
                        together.get(i).answer().complete(results.get(i));
                    }
                    together = List.of();
                } catch (InvalidEvent refused) { // EventIdReused included; nothing was recorded
                    Map<Integer, List<FieldProblem>> byEvent = refused.problemsByEvent();
                    if (byEvent.isEmpty()) {
                        break;
                    }
                    List<Waiting> rest = new ArrayList<>();
                    for (int i = 0; i < together.size(); i++) {
                        (byEvent.containsKey(i) ? alone : rest).add(together.get(i));
                    }
                    together = rest;
                } catch (RuntimeException failed) {
                    if (DatabaseOutage.causedBy(failed)) { // the same answer for all: a 503 each
                        together.forEach(entry -> entry.answer().completeExceptionally(failed));
                        alone.forEach(entry -> entry.answer().completeExceptionally(failed));
                        return;
                    }
                    break; // one event's own trouble, or a bug: each alone, so it stays that event's
                }
            }
            alone.addAll(together); // what is left: one event, or a group that had to be split up
        } catch (Throwable e) { // nobody in the group is left waiting, whatever happened; the writer goes on
            group.forEach(entry -> entry.answer().completeExceptionally(e));
            return;
        }
        alone.forEach(this::recordAlone);
    }

    private void recordAlone(Waiting entry) {
        try {
            entry.answer().complete(intake.recordDocumentFinished(entry.event()));
        } catch (Throwable e) {
            entry.answer().completeExceptionally(e);
        }
    }

    @Override
    public void start() {
        if (running) {
            return;
        }
        awaitWriterEnd(); // one writer at a time: a stopped one may still be recording its last group
        running = true;
        open = true;
        writer = new Thread(this::write, "intake-group-commit");
        writer.setDaemon(true);
        writer.start();
    }

    /** Records what is still waiting, then ends; events that come later are recorded alone. */
    @Override
    public void stop() {
        running = false;
        open = false;
        awaitWriterEnd();
    }

    private void awaitWriterEnd() {
        if (writer == null) {
            return;
        }
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
