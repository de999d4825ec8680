package com.idexa.webhooks.delivery;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.webhook.Webhook;
import com.idexa.webhooks.webhook.WebhookService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Sends due deliveries. One loop thread claims work ({@link DeliveryQueue#claim}) only when it has room for it,
 * and hands each claimed delivery to a worker, which attempts it outside any transaction; the
 * {@link OutcomeRecorder} writes outcomes in batches, each under the lease it was claimed with. Room is bounded
 * twice: {@code max-in-flight} attempts in all and {@code max-in-flight-per-client} for any one client, so a slow
 * or dead endpoint ties up a few workers, never all of them.
 *
 * <p>The loop sleeps until a {@link DeliverySignal}: new work committed here or on another instance
 * ({@link DeliveryNotifications}), a worker finishing, or the poll interval passing.
 *
 * <p>Stopping: claims stop at once, attempts in flight get {@code shutdown-grace} to finish, and whatever is
 * still claimed then is released to be due again immediately, for this or another instance.
 */
@Component
public class Dispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** While there is a backlog, claims wait this long at most for a quarter of the room to come free. */
    private static final Duration COALESCE = Duration.ofMillis(20);

    private final DeliveryQueue queue;
    private final DeliverySender sender;
    private final WebhookService webhooks;
    private final DeliveryNotifications notifications;
    private final DeliveryMetrics metrics;
    private final WebhooksProperties.Delivery settings;
    private final OutcomePolicy policy;
    private final DeliverySignal signal = new DeliverySignal();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ClientSlots slots;
    private final Map<UUID, ClaimedDelivery> claimed = new ConcurrentHashMap<>();
    private final AtomicLong started = new AtomicLong();
    private final AtomicInteger workerNumber = new AtomicInteger();
    private ThreadPoolExecutor workers;
    private OutcomeRecorder recorder;
    private volatile boolean running;
    /** Whether the last claim found as many due deliveries as it asked for: there is a backlog. */
    private boolean backlog;

    private long lastClaimNanos;
    private Thread loop;

    Dispatcher(
            DeliveryQueue queue,
            DeliverySender sender,
            WebhookService webhooks,
            DeliveryNotifications notifications,
            DeliveryMetrics metrics,
            WebhooksProperties properties,
            Clock clock) {
        this.queue = queue;
        this.sender = sender;
        this.webhooks = webhooks;
        this.notifications = notifications;
        this.metrics = metrics;
        this.settings = properties.delivery();
        this.policy = OutcomePolicy.from(settings, clock);
        this.slots = new ClientSlots(settings.maxInFlightPerClient());
        Duration worstAttempt = properties.outbound().requestTimeout().multipliedBy(4); // token, send, token, send
        if (settings.lease().compareTo(worstAttempt) < 0) {
            throw new IllegalStateException("webhooks.delivery.lease (" + settings.lease() + ") must be at least four "
                    + "times webhooks.outbound.request-timeout (" + worstAttempt + "), or a slow attempt could be "
                    + "taken over and sent twice at once");
        }
    }

    @Override
    public void start() {
        if (!settings.enabled() || running) {
            return;
        }
        workers = new ThreadPoolExecutor(
                settings.maxInFlight(),
                settings.maxInFlight(),
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "delivery-worker-" + workerNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        workers.allowCoreThreadTimeOut(true);
        recorder = new OutcomeRecorder(
                queue, outcome -> claimed.remove(outcome.delivery().id()));
        recorder.start("delivery-outcomes");
        running = true;
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
        try {
            loop.join(settings.shutdownGrace().toMillis() + 1000);
            workers.shutdown();
            if (!workers.awaitTermination(settings.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
            recorder.stop(settings.shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        List<ClaimedDelivery> unfinished = List.copyOf(claimed.values());
        int released = queue.release(unfinished);
        log.info("Dispatcher stopped; released {} unfinished deliveries", released);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** How many deliveries this dispatcher has claimed and started since it was made. */
    long deliveriesStarted() {
        return started.get();
    }

    private void runLoop() {
        while (running) {
            Duration wait = settings.pollInterval();
            try {
                wait = claimAndStart();
            } catch (RuntimeException e) {
                log.warn("Claiming deliveries failed; trying again in {}", settings.pollInterval(), e);
            }
            if (!wait.isZero()) {
                try {
                    signal.await(wait);
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
     * @return how long to wait (or until signalled) before claiming again; zero when more is due right now
     */
    private Duration claimAndStart() {
        int free = settings.maxInFlight() - inFlight.get();
        if (free <= 0) {
            return settings.pollInterval(); // a finishing attempt signals
        }
        Duration sinceLastClaim = Duration.ofNanos(System.nanoTime() - lastClaimNanos);
        int quarter = Math.max(1, Math.min(settings.claimBatchSize(), settings.maxInFlight()) / 4);
        if (backlog && free < quarter && sinceLastClaim.compareTo(COALESCE) < 0) {
            return COALESCE.minus(sinceLastClaim);
        }
        lastClaimNanos = System.nanoTime();
        int want = Math.min(free, settings.claimBatchSize());
        List<ClaimedDelivery> batch =
                queue.claim(want, slots.perClient(), slots.roomOfBusyClients(), settings.lease(), UUID.randomUUID());
        for (ClaimedDelivery delivery : batch) {
            inFlight.incrementAndGet();
            slots.take(delivery.clientId());
            claimed.put(delivery.id(), delivery);
            started.incrementAndGet();
            workers.execute(() -> run(delivery));
        }
        backlog = batch.size() == want;
        return backlog ? Duration.ZERO : settings.pollInterval();
    }

    private void run(ClaimedDelivery delivery) {
        MDC.put("deliveryId", delivery.id().toString());
        MDC.put("eventId", delivery.eventKey());
        MDC.put("clientId", delivery.clientId().toString());
        boolean recording = false;
        try {
            Outcome outcome = attempt(delivery);
            if (outcome != null) {
                recorder.record(outcome);
                recording = true;
            }
        } catch (RuntimeException e) {
            log.error("Attempt failed unexpectedly; the delivery is retried when its lease runs out", e);
        } finally {
            if (!recording) {
                claimed.remove(delivery.id());
            }
            slots.free(delivery.clientId());
            inFlight.decrementAndGet();
            signal.signal();
            MDC.clear();
        }
    }

    /** @return the outcome to record, or {@code null} when the delivery was cancelled instead */
    private Outcome attempt(ClaimedDelivery delivery) {
        Optional<Webhook> webhook =
                delivery.webhookId() == null ? Optional.empty() : webhooks.webhookForDelivery(delivery.webhookId());
        if (webhook.isEmpty()) {
            queue.cancel(delivery, "the client had no webhook when the attempt was due");
            metrics.cancelled();
            log.info("Delivery cancelled: the client has no webhook");
            return null;
        }
        if (delivery.attemptCount() == 0) {
            metrics.firstAttemptLag(delivery.eventCreatedAt());
        }
        AttemptRecord attempt = sender.attempt(delivery, webhook.get());
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
        return new Outcome(delivery, attempt, decision);
    }
}
