package com.idexa.webhooks.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform: offers single events at a fixed rate, each with an {@code eventId} of its own, and behaves as a
 * well-behaved caller does: a 503 is retried after its {@code Retry-After} (at most 5 s), a 500, a timeout or a
 * refused connection after 1, 2, then 4 s, always with the same {@code eventId}, until a 202 or a deadline. Every
 * answer is recorded. Calls are asynchronous, so a service that hangs does not slow the offered rate.
 */
final class IntakeLoad {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    enum Answer {
        ACCEPTED_202("202"),
        CLEAN_503("503 problem document with Retry-After"),
        OTHER_503("503 without a problem document or Retry-After"),
        ERROR_500("500"),
        OTHER_STATUS("other status"),
        TIMEOUT("no answer within 5 s"),
        CONNECTION_FAILED("connection refused or cut");

        final String label;

        Answer(String label) {
            this.label = label;
        }
    }

    record Call(String eventId, long sent, long ended, String instance, Answer answer, int status) {}

    static final class Event {
        final String eventId;
        final int client;
        final long scheduled;
        volatile long accepted;
        volatile String deliveryId;
        volatile boolean finished;
        int attempts;

        Event(String eventId, int client, long scheduled) {
            this.eventId = eventId;
            this.client = client;
            this.scheduled = scheduled;
        }
    }

    private static final Pattern DELIVERY_ID = Pattern.compile("\"deliveryId\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http;
    private final String intakeToken;
    private final List<String> clientIds;
    private final Supplier<ServiceInstance> router;
    private final String prefix;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "intake-retries");
        thread.setDaemon(true);
        return thread;
    });
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    private volatile long giveUpAt = Long.MAX_VALUE;

    IntakeLoad(
            HttpClient http,
            String intakeToken,
            List<String> clientIds,
            Supplier<ServiceInstance> router,
            String prefix) {
        this.http = http;
        this.intakeToken = intakeToken;
        this.clientIds = clientIds;
        this.router = router;
        this.prefix = prefix;
    }

    /**
     * Offers {@code perSecond} events a second until {@code untilNanos}; returns when the last one is offered.
     * Answers and retries go on in the background.
     */
    void offer(int perSecond, long untilNanos) throws InterruptedException {
        long period = 1_000_000_000L / perSecond;
        long begin = System.nanoTime();
        for (int i = 0; ; i++) {
            long due = begin + i * period;
            if (due >= untilNanos) {
                return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the offered rate's own clock
            }
            Event event = new Event(prefix + "-" + i, i % clientIds.size(), due);
            events.add(event);
            send(event);
        }
    }

    /** Events not accepted by then are given up (counted as never accepted). */
    void giveUpAt(long nanos) {
        giveUpAt = nanos;
    }

    boolean settled() {
        return events.stream().allMatch(e -> e.finished);
    }

    List<Event> events() {
        return new ArrayList<>(events);
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    void close() {
        retries.shutdownNow();
    }

    private void send(Event event) {
        event.attempts++;
        ServiceInstance instance = router.get();
        String body = "{\"eventId\": \"" + event.eventId + "\", \"clientId\": \"" + clientIds.get(event.client)
                + "\", \"type\": 0, \"document\": " + document(event.eventId) + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(instance.url() + "/internal/document_events"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + intakeToken)
                .timeout(CALL_TIMEOUT)
                .build();
        long sent = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            long ended = System.nanoTime();
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                Answer answer = cause instanceof HttpTimeoutException ? Answer.TIMEOUT : Answer.CONNECTION_FAILED;
                calls.add(new Call(event.eventId, sent, ended, instance.name(), answer, 0));
                retry(event, backoff(event));
                return;
            }
            int status = response.statusCode();
            Answer answer = classify(response);
            calls.add(new Call(event.eventId, sent, ended, instance.name(), answer, status));
            if (status == 202) {
                Matcher deliveryId = DELIVERY_ID.matcher(response.body());
                event.deliveryId = deliveryId.find() ? deliveryId.group(1) : null;
                event.accepted = ended;
                event.finished = true;
            } else if (status == 503) {
                long retryAfter = response.headers()
                        .firstValue("Retry-After")
                        .map(IntakeLoad::seconds)
                        .orElse(1L);
                retry(event, Duration.ofSeconds(Math.max(1, Math.min(5, retryAfter))));
            } else if (status >= 500 || status == 408 || status == 429) {
                retry(event, backoff(event));
            } else {
                event.finished = true; // a 4xx: the harness sent something wrong; counted, not retried
            }
        });
    }

    private void retry(Event event, Duration after) {
        if (System.nanoTime() + after.toNanos() > giveUpAt) {
            event.finished = true;
            return;
        }
        retries.schedule(() -> send(event), after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration backoff(Event event) {
        return Duration.ofSeconds(Math.min(4, 1L << Math.min(2, event.attempts - 1)));
    }

    private static Answer classify(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 202) {
            return Answer.ACCEPTED_202;
        }
        if (status == 503) {
            boolean problem =
                    response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
            boolean retryAfter = response.headers().firstValue("Retry-After").isPresent();
            return problem && retryAfter ? Answer.CLEAN_503 : Answer.OTHER_503;
        }
        if (status == 500) {
            return Answer.ERROR_500;
        }
        return Answer.OTHER_STATUS;
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException dateOrJunk) {
            return 1;
        }
    }

    static String document(String id) {
        return "{\"id\": \"" + id + "\", \"externalId\": \"ext-" + id
                + "\", \"type\": 24, \"data\": {\"total\": 123.45, \"issuer\": \"ACME LTDA\", \"items\": [1, 2, 3]},"
                + " \"status\": 1, \"statusDesc\": \"FINISHED\", \"createdAt\": \"2022-10-14 14:38:50.045316\"}";
    }
}
