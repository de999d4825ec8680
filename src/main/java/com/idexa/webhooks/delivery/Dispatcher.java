package com.idexa.webhooks.delivery;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.web.DatabaseOutage;
import com.idexa.webhooks.webhook.Webhook;
import com.idexa.webhooks.webhook.WebhookService;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.hc.core5.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Sends due deliveries. One loop thread claims work ({@link DeliveryQueue#claim}) only when it has room for it;
 * each claimed delivery is prepared on a small pool (its webhook looked up, perhaps in the database) and sent
 * through the asynchronous HTTP client, outside any transaction and without a thread waiting for the answer; when
 * the attempt ends, a second small pool decides its outcome and hands it to the {@link OutcomeRecorder}, which
 * writes outcomes in batches, each under the lease it was claimed with, while the {@link LeaseHeartbeat} keeps the
 * leases of held deliveries alive. Nothing that may block (the database, name resolution, a full recorder) ever
 * runs on the HTTP client's reactor threads. So the threads are few and fixed, however many attempts are in
 * flight.
 *
 * <p>Room is bounded three times: {@code max-in-flight} attempts in all, {@code max-in-flight-per-client} for any
 * one client ({@link ClientSlots}), and one probe at a time for a client whose endpoint keeps not answering, with
 * all such probes together capped ({@link ClientBreakers}); so slow or dead endpoints, however many, tie up a
 * bounded share of the room, never all of it. A client's own delivery settings lower its room further
 * ({@link ClientThrottles}), and a client whose endpoint is disabled gets none (the claim skips it).
 *
 * <p>Every claimed attempt ends in a recorded outcome: whatever goes wrong while preparing or sending it is
 * recorded as a failed attempt and scheduled like any failure.
 *
 * <p>The loop sleeps until a {@link DeliverySignal}: new work committed here or on another instance
 * ({@link DeliveryNotifications}), an attempt finishing, or the poll interval passing.
 *
 * <p>CLAIMS_FOR_NEWS: a signal names the clients it concerns (those whose events were committed, whose attempt
 * ended), and a claim made for such news looks at those clients only, not at every client with rows queued: with
 * hundreds of hung endpoints, each keeping rows queued, walking them all cost 12 to 14 ms a claim, on every
 * wake-up. Such a claim also looks at the clients waiting for a throttle's tokens once they have some back (that
 * comes without news); tripped clients' probes are found by the walks. A claim still looks at every client when a
 * signal named none (or too
 * many), when the last claim filled all the room it asked for (a backlog), when the loop woke without news (the
 * poll interval), after a claim failed, and at least once a poll interval whatever the news: retries falling due,
 * leases running out and other instances' freed rows are found that way, within a poll interval.
 *
 * <p>Stopping: claims stop at once; attempts in flight get {@code shutdown-grace} to finish; those still running
 * are then aborted (their connections closed) and recorded as interrupted, due again at once; outcomes are
 * flushed; only deliveries whose attempt never started are released. No delivery is ever released while an
 * attempt of it may still be sending.
 */
@Component
public class Dispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** While there is a backlog, claims wait this long at most for a quarter of the room to come free. */
    private static final Duration COALESCE = Duration.ofMillis(20);
    /** At shutdown, how long aborted attempts and the last outcomes get once the grace has run out. */
    private static final Duration AFTER_ABORT = Duration.ofSeconds(5);
    /**
     * Threads that prepare attempts: they look webhooks up (a cache miss reads the database) and start exchanges
     * (resolving host names). A few suffice: none of them waits for an endpoint.
     */
    static final int PREPARING_THREADS = 4;
    /** Threads that decide outcomes and queue them for the recorder (which makes them wait when it is full). */
    static final int FINISHING_THREADS = 2;

    private final DeliveryQueue queue;
    private final DeliverySender sender;
    private final WebhookService webhooks;
    private final DeliveryNotifications notifications;
    private final DeliveryMetrics metrics;
    private final WebhooksProperties.Delivery settings;
    private final Duration requestTimeout;
    private final OutcomePolicy policy;
    private final ClientSlots slots;
    private final ClientBreakers breakers;
    private final ClientThrottles throttles = new ClientThrottles(System::nanoTime);
    private final ApplicationEventPublisher events;
    /** Whether the clients' delivery settings have been read, and when (they are read again after a second). */
    private volatile boolean settingsRead;

    private long settingsReadNanos;
    private final HeldDeliveries held = new HeldDeliveries();
    private final DeliverySignal signal = new DeliverySignal();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private final Object idle = new Object();
    private ExecutorService preparing;
    private ExecutorService finishing;
    private OutcomeRecorder recorder;
    private LeaseHeartbeat heartbeat;
    private volatile boolean running;
    /** Whether the last claim found as many due deliveries as it asked for: there is a backlog. */
    private boolean backlog;

    private long lastClaimNanos;
    /** When a claim last looked at every client (CLAIMS_FOR_NEWS). */
    private long lastWalkNanos;
    /** Whether the loop's wait was for a throttled client's tokens (its end then means: look at those clients). */
    private boolean waitedForTokens;

    private Thread loop;

    Dispatcher(
            DeliveryQueue queue,
            DeliverySender sender,
            WebhookService webhooks,
            DeliveryNotifications notifications,
            DeliveryMetrics metrics,
            WebhooksProperties properties,
            Clock clock,
            ApplicationEventPublisher events) {
        this.queue = queue;
        this.events = events;
        this.sender = sender;
        this.webhooks = webhooks;
        this.notifications = notifications;
        this.metrics = metrics;
        this.settings = properties.delivery();
        this.requestTimeout = properties.outbound().requestTimeout();
        this.policy = OutcomePolicy.from(settings, clock);
        this.slots = new ClientSlots(settings.maxInFlightPerClient());
        this.breakers = new ClientBreakers(
                settings.tripAfter(),
                ClientBreakers.maxProbes(settings.maxInFlight(), settings.probeShare()),
                settings.slowAfter());
        metrics.watchBreakers(breakers::trippedCount, breakers::trips);
        if (settings.lease().compareTo(settings.heartbeatInterval().multipliedBy(3)) < 0) {
            throw new IllegalStateException("webhooks.delivery.lease (" + settings.lease() + ") must be at least three "
                    + "times webhooks.delivery.heartbeat-interval (" + settings.heartbeatInterval() + "), so a "
                    + "missed beat or two does not put an attempt's lease in doubt");
        }
    }

    @Override
    public void start() {
        if (!settings.enabled() || running) {
            return;
        }
        // Unbounded queues, bounded all the same: each task is one of at most max-in-flight held deliveries.
        preparing = Executors.newFixedThreadPool(PREPARING_THREADS, new DefaultThreadFactory("delivery-prepare", true));
        finishing = Executors.newFixedThreadPool(FINISHING_THREADS, new DefaultThreadFactory("delivery-finish", true));
        recorder = new OutcomeRecorder(queue, outcome -> held.letGo(outcome.delivery()), events::publishEvent);
        recorder.start("delivery-outcomes");
        heartbeat = new LeaseHeartbeat(queue, held, settings.lease(), settings.heartbeatInterval());
        heartbeat.start();
        running = true;
        lastWalkNanos = System.nanoTime() - settings.pollInterval().toNanos(); // the first claim looks at everyone
        notifications.subscribe(signal);
        loop = new Thread(this::runLoop, "delivery-dispatcher");
        loop.setDaemon(true);
        loop.start();
        log.info(
                "Dispatcher started: up to {} attempts in flight, {} per client",
                settings.maxInFlight(),
                settings.maxInFlightPerClient());
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        notifications.unsubscribe(signal);
        signal.signal();
        long graceEnds = System.nanoTime() + settings.shutdownGrace().toNanos();
        try {
            loop.join(Math.max(1, untilMillis(graceEnds)));
            if (!awaitNothingInFlight(graceEnds)) {
                abortAttemptsHeld("interrupted: this instance shut down before the endpoint answered");
                // An aborted exchange ends at once; a token fetch in progress ends by its own deadline.
                awaitNothingInFlight(System.nanoTime() + Math.min(requestTimeout.toNanos(), AFTER_ABORT.toNanos()));
            }
            recorder.stop(AFTER_ABORT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            heartbeat.stop();
        }
        releaseUnstarted();
        // Not shutdownNow: what is queued still runs and gives its room back (it finds released deliveries
        // released and aborted attempts aborted), so a dispatcher started again does not inherit stale counts.
        preparing.shutdown();
        finishing.shutdown();
    }

    /** Waits until every claimed attempt has ended (its outcome queued), or the deadline. */
    private boolean awaitNothingInFlight(long deadlineNanos) throws InterruptedException {
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = untilMillis(deadlineNanos);
                if (left <= 0) {
                    return false;
                }
                idle.wait(left);
            }
            return true;
        }
    }

    /** Aborts every held attempt, also one only about to start: an abort is kept until it is used. */
    private void abortAttemptsHeld(String reason) {
        held.all().forEach(entry -> entry.abort.abort(reason));
    }

    private static long untilMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** Gives back deliveries whose attempt never started; any other still held is left to its lease. */
    private void releaseUnstarted() {
        List<HeldDeliveries.Held> unfinished = held.all();
        List<ClaimedDelivery> unstarted = unfinished.stream()
                .filter(HeldDeliveries.Held::release)
                .map(entry -> entry.delivery)
                .toList();
        int released = 0;
        try {
            released = queue.release(unstarted);
        } catch (RuntimeException e) {
            log.warn(
                    "Could not release {} unstarted deliveries; they fall due when their leases run out",
                    unstarted.size());
        }
        int leftToLease = unfinished.size() - unstarted.size();
        if (leftToLease > 0) {
            log.warn(
                    "Dispatcher stopped with {} attempts unrecorded; their deliveries fall due when their leases "
                            + "run out",
                    leftToLease);
        }
        held.clear(); // whatever is left is no longer renewed: its leases run out
        log.info("Dispatcher stopped; released {} unstarted deliveries", released);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** How many deliveries this dispatcher has claimed and started since it was made. */
    long deliveriesStarted() {
        return started.get();
    }

    /** Renews the leases now rather than at the next beat (tests). */
    void beat() {
        heartbeat.beat();
    }

    private void runLoop() {
        // A loop left behind by a stop() that could not wait for it ends as soon as it sees it is not the loop.
        boolean signalled = false;
        while (running && Thread.currentThread() == loop) {
            Duration wait = settings.pollInterval();
            try {
                wait = claimAndStart(signalled);
            } catch (RuntimeException e) {
                walkNext();
                log.warn(
                        "Claiming deliveries failed ({}); trying again in {}",
                        e.getClass().getSimpleName(),
                        settings.pollInterval());
            }
            signalled = false;
            if (!wait.isZero()) {
                try {
                    signalled = signal.await(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * Claims as many due deliveries as there is room for. While there is a backlog it lets room gather for up to
     * {@link #COALESCE} (until a quarter is free), so claims come in batches rather than one per finished attempt;
     * with no backlog it claims at once, so a new event is not kept waiting.
     *
     * @param signalled whether the loop was woken by a signal (rather than by its wait running out)
     * @return how long to wait (or until signalled) before claiming again; zero when more is due right now
     */
    private Duration claimAndStart(boolean signalled) {
        int free = settings.maxInFlight() - inFlight.get();
        if (free <= 0) {
            waitedForTokens = false;
            return settings.pollInterval(); // a finishing attempt signals
        }
        Duration sinceLastClaim = Duration.ofNanos(System.nanoTime() - lastClaimNanos);
        int quarter = Math.max(1, Math.min(settings.claimBatchSize(), settings.maxInFlight()) / 4);
        if (backlog && free < quarter && sinceLastClaim.compareTo(COALESCE) < 0) {
            return COALESCE.minus(sinceLastClaim);
        }
        DeliverySignal.News news = signal.takeNews();
        long claimStarted = System.nanoTime();
        boolean everyClient = news.anything()
                || backlog
                || (!signalled && !waitedForTokens)
                || claimStarted - lastWalkNanos >= settings.pollInterval().toNanos();
        readDeliverySettings();
        Map<UUID, Integer> room = throttles.limit(breakers.room(slots), slots.perClient(), slots);
        Set<UUID> lookAt = null;
        if (!everyClient) {
            lookAt = new HashSet<>(news.clients());
            throttles.waiting().stream() // their tokens refill without news
                    .filter(client -> room.getOrDefault(client, slots.perClient()) > 0)
                    .forEach(lookAt::add);
            if (lookAt.isEmpty()) { // woken for news an earlier claim took, or for tokens not back yet
                return nextWait();
            }
        }
        lastClaimNanos = claimStarted;
        int want = Math.min(free, settings.claimBatchSize());
        metrics.claimed(everyClient);
        List<ClaimedDelivery> batch =
                queue.claim(want, slots.perClient(), room, settings.lease(), UUID.randomUUID(), lookAt);
        if (everyClient) {
            lastWalkNanos = claimStarted;
        }
        breakers.claimed(batch.stream().map(ClaimedDelivery::clientId).collect(Collectors.toSet()), lookAt);
        throttles.claimed(batch.stream()
                .filter(delivery -> delivery.status() == DeliveryStatus.PENDING)
                .map(ClaimedDelivery::clientId)
                .toList());
        long leaseValidUntil = claimStarted + settings.lease().toNanos();
        if (!running || Thread.currentThread() != loop) {
            queue.release(batch.stream()
                    .filter(delivery -> delivery.status() == DeliveryStatus.PENDING)
                    .toList()); // stopped while claiming: give them back unstarted
            return settings.pollInterval();
        }
        for (ClaimedDelivery delivery : batch) {
            if (delivery.status() == DeliveryStatus.FAILED) {
                metrics.gaveUp();
                log.warn("Delivery {} FAILED: {}", delivery.id(), DeliveryQueue.GAVE_UP);
                continue;
            }
            inFlight.incrementAndGet();
            slots.take(delivery.clientId());
            HeldDeliveries.Held entry = held.hold(delivery, leaseValidUntil);
            started.incrementAndGet();
            try {
                preparing.execute(() -> start(entry));
            } catch (RejectedExecutionException e) { // shutting down: give it back unstarted
                entry.release();
                held.letGo(delivery);
                slots.free(delivery.clientId());
                inFlight.decrementAndGet();
                queue.release(List.of(delivery));
            }
        }
        backlog = batch.size() == want;
        if (backlog) {
            return Duration.ZERO;
        }
        return nextWait();
    }

    /**
     * Until a throttled client has tokens again or the next claim that looks at every client is due
     * (CLAIMS_FOR_NEWS), whichever comes first: at least a millisecond.
     */
    private Duration nextWait() {
        Duration untilTokens = throttles.untilTokens();
        long untilWalk = settings.pollInterval().toNanos() - (System.nanoTime() - lastWalkNanos);
        Duration walk = Duration.ofNanos(Math.max(untilWalk, TimeUnit.MILLISECONDS.toNanos(1)));
        waitedForTokens = untilTokens != null && untilTokens.compareTo(walk) < 0;
        return waitedForTokens ? untilTokens.plusMillis(1) : walk; // zero would mean "more is due now"
    }

    /** The next claim looks at every client (a claim failed: what it was told is lost with it). */
    private void walkNext() {
        lastWalkNanos = System.nanoTime() - settings.pollInterval().toNanos();
    }

    /** A client changed its delivery settings here: the next claim reads them (other instances within a second). */
    public void deliverySettingsChanged() {
        settingsRead = false;
        signal.signal();
    }

    /**
     * Reads the clients' delivery settings at most once a second (marked read before the query, so a change
     * committed meanwhile is read at the next claim). A failed read keeps the last ones, tried again in a second.
     */
    private void readDeliverySettings() {
        long now = System.nanoTime();
        if (settingsRead && now - settingsReadNanos < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        settingsReadNanos = now;
        settingsRead = true;
        try {
            throttles.update(queue.deliverySettings());
        } catch (RuntimeException e) {
            log.warn(
                    "Could not read the clients' delivery settings ({}); the last ones stay",
                    e.getClass().getSimpleName());
        }
    }

    /** On a preparing thread: looks the webhook up and starts the exchange; no thread waits for its answer. */
    private void start(HeldDeliveries.Held entry) {
        ClaimedDelivery delivery = entry.delivery;
        if (leaseInDoubt(entry) && entry.release()) {
            // Waited so long for a preparing thread (the database unreachable meanwhile) that the lease may run out
            // before the endpoint answers: another instance may take it over. Not sending it is safe; it falls
            // due when its lease runs out, and the claim limit applies.
            log.warn("Delivery {} not attempted: its lease ran low before the attempt could start", delivery.id());
            held.letGo(delivery);
            freeRoom(delivery);
            return;
        }
        if (!entry.start()) {
            return; // released at shutdown before it was started
        }
        entry.sending = true;
        Outcome atOnce;
        withLogContext(delivery);
        try {
            atOnce = attempt(entry);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            atOnce = decided(delivery, unexpected(delivery, e));
        } finally {
            MDC.clear();
        }
        if (atOnce != null) {
            finish(entry, atOnce);
        }
    }

    /**
     * Starts the attempt; its end is finished on a finishing thread.
     *
     * @return the outcome when there is nothing to send (the client has no webhook), else {@code null}
     */
    private Outcome attempt(HeldDeliveries.Held entry) {
        ClaimedDelivery delivery = entry.delivery;
        Optional<Webhook> webhook = delivery.webhookId() == null
                ? Optional.empty()
                : webhooks.webhookForDelivery(delivery.webhookId(), delivery.webhookRevision());
        if (webhook.isEmpty()) {
            metrics.cancelled();
            log.info("Delivery cancelled: the client has no webhook");
            return Outcome.cancelled(delivery, "the client had no webhook when the attempt was due");
        }
        if (delivery.attemptCount() == 0) {
            metrics.firstAttemptLag(delivery.eventCreatedAt(), delivery.now());
        }
        entry.attemptStartedNanos = breakers.started(delivery.clientId());
        entry.attemptStarted = true;
        sender.attempt(delivery, webhook.get(), entry.abort, preparing)
                .handleAsync(
                        (attempt, failure) -> {
                            withLogContext(delivery);
                            try {
                                Outcome outcome;
                                try {
                                    outcome = failure == null
                                            ? decided(delivery, attempt)
                                            : decided(delivery, unexpected(delivery, unwrapped(failure)));
                                } catch (RuntimeException e) {
                                    outcome = decided(delivery, unexpected(delivery, e));
                                }
                                finish(entry, outcome);
                            } finally {
                                MDC.clear();
                            }
                            return null;
                        },
                        finishing);
        return null;
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static void withLogContext(ClaimedDelivery delivery) {
        MDC.put("deliveryId", delivery.id().toString());
        MDC.put("eventId", delivery.eventKey());
        MDC.put("clientId", delivery.clientId().toString());
    }

    /**
     * The attempt has ended: its outcome goes to the recorder (waiting while the recorder is full, which is why
     * this never runs on a reactor thread) and its room is given back.
     */
    private void finish(HeldDeliveries.Held entry, Outcome outcome) {
        ClaimedDelivery delivery = entry.delivery;
        boolean queued = false;
        try {
            entry.sending = false;
            breakers.ended(delivery.clientId(), outcome.attempt());
            if (entry.attemptStarted) {
                breakers.settled(delivery.clientId(), entry.attemptStartedNanos);
            }
            recorder.record(outcome);
            queued = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Interrupted before the outcome was queued; the delivery falls due when its lease runs out");
        } finally {
            if (!queued) {
                held.letGo(delivery); // no longer renewed: its lease runs out, and the claim limit applies
            }
            entry.sending = false;
            freeRoom(delivery);
        }
    }

    /** Whether the lease of a delivery not yet started may run out before an attempt started now could end. */
    private boolean leaseInDoubt(HeldDeliveries.Held entry) {
        return System.nanoTime()
                > entry.leaseValidUntilNanos - settings.heartbeatInterval().toNanos();
    }

    /** The delivery no longer holds room here: its client's slot and one of the dispatcher's. */
    private void freeRoom(ClaimedDelivery delivery) {
        slots.free(delivery.clientId());
        if (inFlight.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
        signal.signal(Set.of(delivery.clientId()));
    }

    private Outcome decided(ClaimedDelivery delivery, AttemptRecord attempt) {
        OutcomePolicy.Decision decision = policy.decide(attempt, delivery.scheduleFailures());
        metrics.attempted(attempt, decision.status());
        switch (decision.status()) {
            case PENDING ->
                log.info(
                        "Attempt {} failed ({}); retrying in {}",
                        delivery.attemptCount() + 1,
                        attempt.error(),
                        decision.retryIn());
            case SUCCEEDED ->
                log.debug("Attempt {} succeeded: HTTP {}", delivery.attemptCount() + 1, attempt.statusCode());
            default -> log.warn("Attempt {} failed for good: {}", delivery.attemptCount() + 1, attempt.error());
        }
        return Outcome.attempted(delivery, attempt, decision);
    }

    /**
     * An attempt that could not be made for a reason of ours; the client reads that, and no class name. The
     * database being away says nothing about the endpoint: that attempt is interrupted, not failed.
     */
    private static AttemptRecord unexpected(ClaimedDelivery delivery, Throwable e) {
        OffsetDateTime at = delivery.now().truncatedTo(ChronoUnit.MICROS);
        if (DatabaseOutage.causedBy(e)) {
            log.warn(
                    "Attempt not made: the database is unreachable ({})",
                    e.getClass().getSimpleName());
            return AttemptRecord.unanswered(
                    at,
                    0,
                    null,
                    null,
                    "interrupted: the webhook service could not reach its database to prepare the attempt",
                    AttemptRecord.INTERRUPTED);
        }
        log.error("Attempt failed unexpectedly; it is recorded as a failed attempt", e);
        return AttemptRecord.unanswered(
                at,
                0,
                null,
                null,
                "the attempt could not be made: internal error in the webhook service (logged with this delivery id)",
                AttemptRecord.INTERNAL_ERROR);
    }
}
