package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.FieldProblem;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
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
 * requests at once cost one transaction, not a hundred: each of them pays for its statements, round trips and
 * durable commit otherwise, and single-event intake was bounded by that (about 250 events/s on two cores, with
 * every pooled connection busy and deliveries starved of them).
 *
 * <p>One writer thread takes whatever is waiting (up to {@value EventIntakeService#MAX_BATCH} events) and records
 * it as a batch, while the next requests wait for the following transaction: groups grow with the load and no
 * request waits for a timer. Each request is answered only once its transaction has committed, exactly as it
 * would have been alone: an event refused for itself (an unknown client, an {@code eventId} reused with another
 * document) makes its group record each event in a transaction of its own, so every request gets its own answer
 * and no valid event is refused with another's. A malformed event is refused before it joins a group.
 *
 * <p>Nothing waits on a full group: when {@value EventIntakeService#MAX_BATCH} events are already waiting, or the
 * writer has stopped, an event is recorded alone, as before.
 */
@Component
class GroupCommit implements SmartLifecycle {

    /** Stops after the web server, whose graceful shutdown lets the requests waiting here finish first. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private record Waiting(DocumentEvent event, CompletableFuture<RecordedEvent> answer) {}

    private final EventIntakeService intake;
    private final JsonMapper json;
    private final BlockingQueue<Waiting> waiting = new LinkedBlockingQueue<>(EventIntakeService.MAX_BATCH);
    private final DistributionSummary groupSizes;
    private volatile boolean running;
    private Thread writer;

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
        if (!problems.isEmpty()) {
            throw new InvalidEvent(problems);
        }
        Waiting entry = new Waiting(event, new CompletableFuture<>());
        if (!running || !waiting.offer(entry)) {
            return intake.recordDocumentFinished(event);
        }
        if (!running && waiting.remove(entry)) { // stopped meanwhile, and the writer's last round missed it
            return intake.recordDocumentFinished(event);
        }
        try {
            return entry.answer().join();
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
        List<Waiting> group = new ArrayList<>();
        while (running || !waiting.isEmpty()) {
            try {
                Waiting first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                waiting.drainTo(group, EventIntakeService.MAX_BATCH - 1);
                recordTogether(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (Throwable e) { // whatever happened, nobody in the group is left waiting
                group.forEach(entry -> entry.answer().completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
    }

    private void recordTogether(List<Waiting> group) {
        groupSizes.record(group.size());
        if (group.size() > 1) {
            try {
                List<RecordedEvent> results = intake.recordDocumentsFinished(
                        group.stream().map(Waiting::event).toList());
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).answer().complete(results.get(i));
                }
                return;
            } catch (InvalidEvent refusedForOne) { // EventIdReused included
                // nothing was recorded: each on its own, so each is answered for itself
            } catch (RuntimeException e) { // the database: the same answer for all
                group.forEach(entry -> entry.answer().completeExceptionally(e));
                return;
            }
        }
        for (Waiting entry : group) {
            try {
                entry.answer().complete(intake.recordDocumentFinished(entry.event()));
            } catch (RuntimeException e) {
                entry.answer().completeExceptionally(e);
            }
        }
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::write, "intake-group-commit");
        writer.setDaemon(true);
        writer.start();
    }

    /** Records what is still waiting, then ends; events that come later are recorded alone. */
    @Override
    public void stop() {
        running = false;
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
