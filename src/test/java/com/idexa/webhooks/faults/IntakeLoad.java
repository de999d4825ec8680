package com.idexa.webhooks.faults;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The platform: offers single events at a fixed rate, each with an {@code eventId} of its own, and behaves as a
 * well-behaved caller does: a 503 is retried after its {@code Retry-After} (at most 5 s), a 500, a timeout or a
 * refused connection after 1, 2, then 4 s, always with the same {@code eventId}, until a 202 or a deadline. Every
 * answer is recorded. Like a real platform it has a bounded number of senders ({@value #SENDERS}, each a blocking
 * call over a pooled keep-alive connection): when the service hangs, events queue here instead of piling up as
 * ever more abandoned requests on the service.
 */
final class IntakeLoad {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    static final int SENDERS = 64;

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
        volatile long firstSent;
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

    private final CloseableHttpClient http = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(2 * SENDERS)
                    .setMaxConnPerRoute(SENDERS)
                    .setDefaultConnectionConfig(ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofSeconds(2))
                            .setSocketTimeout(Timeout.of(CALL_TIMEOUT))
                            .build())
                    .build())
            .setDefaultRequestConfig(RequestConfig.custom()
                    .setResponseTimeout(Timeout.of(CALL_TIMEOUT))
                    .setConnectionRequestTimeout(Timeout.ofMinutes(1))
                    .build())
            .disableAutomaticRetries()
            .build();
    private final ExecutorService senders = Executors.newFixedThreadPool(SENDERS, runnable -> {
        Thread thread = new Thread(runnable, "intake-sender");
        thread.setDaemon(true);
        return thread;
    });
    private final String intakeToken;
    private final List<String> clientIds;
    private final Supplier<ServiceInstance> router;
    private final String prefix;
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    private volatile long giveUpAt = Long.MAX_VALUE;

    IntakeLoad(String intakeToken, List<String> clientIds, Supplier<ServiceInstance> router, String prefix) {
        this.intakeToken = intakeToken;
        this.clientIds = clientIds;
        this.router = router;
        this.prefix = prefix;
    }

    /**
     * Offers {@code perSecond} events a second until {@code until} (which may move); returns when the last one is
     * offered.
     * Answers and retries go on in the background: each event is held by one of the {@value #SENDERS} senders
     * until it is done with, the rest wait their turn.
     */
    void offer(int perSecond, LongSupplier until) throws InterruptedException {
        long period = 1_000_000_000L / perSecond;
        long begin = System.nanoTime();
        for (int i = 0; ; i++) {
            long due = begin + i * period;
            if (due >= until.getAsLong()) {
                return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the offered rate's own clock
            }
            Event event = new Event(prefix + "-" + i, i % clientIds.size(), due);
            events.add(event);
            senders.execute(() -> send(event));
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

    void close() throws IOException {
        senders.shutdownNow();
        http.close();
    }

    /** One sender's whole handling of one event: it keeps the event until a 202, a 4xx or the deadline. */
    private void send(Event event) {
        try {
            while (System.nanoTime() < giveUpAt) {
                Duration retryAfter = attempt(event);
                if (retryAfter == null) {
                    return;
                }
                if (System.nanoTime() + retryAfter.toNanos() > giveUpAt) {
                    break;
                }
                Thread.sleep(retryAfter.toMillis()); // the caller's own backoff
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        event.finished = true;
    }

    /** @return how long to wait before trying again, or null when the event is done with */
    private Duration attempt(Event event) {
        event.attempts++;
        if (event.firstSent == 0) {
            event.firstSent = System.nanoTime();
        }
        ServiceInstance instance = router.get();
        HttpPost post = new HttpPost(instance.url() + "/internal/document_events");
        post.setHeader("Authorization", "Bearer " + intakeToken);
        post.setEntity(new StringEntity(
                "{\"eventId\": \"" + event.eventId + "\", \"clientId\": \"" + clientIds.get(event.client)
                        + "\", \"type\": 0, \"document\": " + document(event.eventId) + "}",
                ContentType.APPLICATION_JSON));
        long sent = System.nanoTime();
        Reply reply;
        try {
            reply = http.execute(post, response -> {
                Header retryAfter = response.getFirstHeader("Retry-After");
                Header contentType = response.getFirstHeader("Content-Type");
                return new Reply(
                        response.getCode(),
                        response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity()),
                        retryAfter == null ? null : retryAfter.getValue(),
                        contentType == null ? "" : contentType.getValue());
            });
        } catch (IOException failure) {
            Answer answer = failure instanceof SocketTimeoutException ? Answer.TIMEOUT : Answer.CONNECTION_FAILED;
            calls.add(new Call(event.eventId, sent, System.nanoTime(), instance.name(), answer, 0));
            return backoff(event);
        }
        long ended = System.nanoTime();
        int status = reply.status();
        calls.add(new Call(event.eventId, sent, ended, instance.name(), reply.classify(), status));
        if (status == 202) {
            Matcher deliveryId = DELIVERY_ID.matcher(reply.body());
            event.deliveryId = deliveryId.find() ? deliveryId.group(1) : null;
            event.accepted = ended;
            event.finished = true;
            return null;
        }
        if (status == 503) {
            long retryAfter = reply.retryAfter() == null ? 1 : seconds(reply.retryAfter());
            return Duration.ofSeconds(Math.max(1, Math.min(5, retryAfter)));
        }
        if (status >= 500 || status == 408 || status == 429) {
            return backoff(event);
        }
        event.finished = true; // a 4xx: the harness sent something wrong; counted, not retried
        return null;
    }

    private record Reply(int status, String body, String retryAfter, String contentType) {
        Answer classify() {
            if (status == 202) {
                return Answer.ACCEPTED_202;
            }
            if (status == 503) {
                return contentType.startsWith("application/problem+json") && retryAfter != null
                        ? Answer.CLEAN_503
                        : Answer.OTHER_503;
            }
            return status == 500 ? Answer.ERROR_500 : Answer.OTHER_STATUS;
        }
    }

    private static Duration backoff(Event event) {
        return Duration.ofSeconds(Math.min(4, 1L << Math.min(2, event.attempts - 1)));
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
