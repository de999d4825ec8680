package com.idexa.webhooks.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * The load generator: events in batches as fast as they are accepted ({@link #flood}), or single events at a
 * fixed rate ({@link #offer}), and the wait for their callbacks at the receiver. Every wait is bounded.
 */
final class Load {

    /** One document-finished event: whose, and the document id its callback will carry in its path. */
    record Event(UUID client, String documentId) {}

    /** Takes one batch of events into a system under test (the service's batch intake, or the baseline's). */
    interface Intake {
        void accept(List<Event> batch) throws Exception;
    }

    record Flooded(double acceptedPerSecond, double deliveredPerSecond, double seconds, long delivered) {}

    /** Each offered document's scheduled send and, if it was accepted, when its 202 was read (System.nanoTime). */
    record Offered(int total, int refused, Map<String, Long> scheduled, Map<String, Long> accepted) {}

    private final BenchReceiver receiver;

    Load(BenchReceiver receiver) {
        this.receiver = receiver;
    }

    static String document(String id) {
        return "{\"id\": \"" + id + "\", \"externalId\": \"ext-" + id
                + "\", \"type\": 24, \"data\": {\"total\": 123.45, "
                + "\"issuer\": \"ACME LTDA\", \"items\": [1, 2, 3]}, \"processTime\": 1.7, \"status\": 1, "
                + "\"statusDesc\": \"FINISHED\", \"createdAt\": \"2022-10-14 14:38:50.045316\"}";
    }

    static String batchBody(List<Event> batch) {
        StringBuilder body = new StringBuilder("{\"events\": [");
        for (Event event : batch) {
            body.append(body.length() > 12 ? "," : "")
                    .append("{\"eventId\": \"")
                    .append(event.documentId())
                    .append("\", \"clientId\": \"")
                    .append(event.client())
                    .append("\", \"type\": 0, \"document\": ")
                    .append(document(event.documentId()))
                    .append('}');
        }
        return body.append("]}").toString();
    }

    /**
     * Sends {@code events} events (document ids {@code prefix-i}) in batches of 1,000 from 4 threads, then waits
     * (at most {@code limit}) until the callbacks of those that {@code counted} have all arrived.
     */
    Flooded flood(
            String prefix,
            int events,
            IntFunction<UUID> clientOf,
            Predicate<Integer> counted,
            Intake intake,
            Duration limit)
            throws Exception {
        int batchSize = 1000;
        List<List<Event>> batches = new ArrayList<>();
        int expected = 0;
        for (int start = 0; start < events; start += batchSize) {
            List<Event> batch = new ArrayList<>();
            for (int i = start; i < Math.min(events, start + batchSize); i++) {
                batch.add(new Event(clientOf.apply(i), prefix + "-" + i));
                expected += counted.test(i) ? 1 : 0;
            }
            batches.add(batch);
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        long begin = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                running.add(senders.submit(() -> {
                    int b;
                    while ((b = next.getAndIncrement()) < batches.size()) {
                        intake.accept(batches.get(b));
                    }
                    return null;
                }));
            }
            for (Future<?> sender : running) {
                sender.get(limit.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        double acceptedSeconds = (System.nanoTime() - begin) / 1e9;
        Arrived arrived = awaitArrivals(
                id -> id.startsWith(prefix + "-") && counted.test(Integer.parseInt(id.substring(prefix.length() + 1))),
                expected,
                limit);
        double seconds = (arrived.last() - begin) / 1e9;
        return new Flooded(events / acceptedSeconds, arrived.count() / seconds, seconds, arrived.count());
    }

    /**
     * Offers single events (document ids {@code prefix + i}) at a fixed rate for {@code seconds}, each sent on its
     * own schedule by a pool of blocking senders over keep-alive connections, then waits {@code grace} for late
     * callbacks.
     */
    Offered offer(String intakeUrl, int perSecond, int seconds, String prefix, IntFunction<UUID> clientOf)
            throws Exception {
        int total = perSecond * seconds;
        Map<String, Long> scheduled = new ConcurrentHashMap<>();
        Map<String, Long> accepted = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(64);
        long periodNanos = 1_000_000_000L / perSecond;
        long begin = System.nanoTime();
        try (CloseableHttpClient intake = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(64)
                        .setMaxConnPerRoute(64)
                        .build())
                .build()) {
            for (int i = 0; i < total; i++) {
                long due = begin + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the offered rate's own clock
                }
                String documentId = prefix + i;
                String body = "{\"eventId\": \"" + documentId + "\", \"clientId\": \"" + clientOf.apply(i)
                        + "\", \"type\": 0, \"document\": " + document(documentId) + "}";
                scheduled.put(documentId, due);
                senders.execute(() -> {
                    HttpPost post = new HttpPost(intakeUrl);
                    post.setHeader("Authorization", "Bearer " + BenchService.INTAKE);
                    post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
                    try {
                        int status = intake.execute(post, response -> {
                            EntityUtils.consume(response.getEntity());
                            return response.getCode();
                        });
                        if (status == 202) {
                            accepted.put(documentId, System.nanoTime());
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (IOException e) {
                        refused.incrementAndGet();
                    }
                });
            }
            senders.shutdown();
            senders.awaitTermination(60, TimeUnit.SECONDS);
        }
        return new Offered(total, refused.get(), scheduled, accepted);
    }

    record Arrived(long count, long last) {}

    /** Waits until {@code expected} documents matching {@code ofThisRun} have arrived, or {@code limit} passed. */
    Arrived awaitArrivals(Predicate<String> ofThisRun, long expected, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            long count = 0;
            long last = 0;
            for (Map.Entry<String, Long> arrival : receiver.arrivals().entrySet()) {
                if (ofThisRun.test(arrival.getKey())) {
                    count++;
                    last = Math.max(last, arrival.getValue());
                }
            }
            if (count >= expected || System.nanoTime() > deadline) {
                if (count < expected) {
                    System.out.println("  only " + count + " of " + expected + " arrived within " + limit);
                }
                return new Arrived(count, last == 0 ? System.nanoTime() : last);
            }
            Thread.sleep(50); // watching another process's progress: there is nothing to wait on
        }
    }
}
