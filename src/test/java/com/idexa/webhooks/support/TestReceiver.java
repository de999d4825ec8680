package com.idexa.webhooks.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP server on loopback standing in for a client's endpoint or its token endpoint. It records every
 * request, answers from a queue of scripted replies (then a default reply), and notes the most requests it
 * ever saw at once for one {@code webhook-id}.
 */
public final class TestReceiver implements AutoCloseable {

    public record Received(String method, String path, Map<String, List<String>> headers, String body, Instant at) {

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** A scripted answer; {@code hold}, when set, keeps the request open until it is released. */
    public record Reply(int status, Map<String, String> headers, String body, CountDownLatch hold) {

        public static Reply status(int status) {
            return new Reply(status, Map.of(), "", null);
        }

        public static Reply json(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body, null);
        }

        public static Reply withHeader(int status, String name, String value) {
            return new Reply(status, Map.of(name, value), "", null);
        }

        public static Reply hangUntil(CountDownLatch release) {
            return new Reply(200, Map.of(), "", release);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    private final Map<String, AtomicInteger> concurrentById = new ConcurrentHashMap<>();
    private final AtomicInteger maxConcurrentForOneId = new AtomicInteger();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private volatile Function<Received, Reply> defaultReply = request -> Reply.status(200);

    private TestReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static TestReceiver start() {
        return new TestReceiver();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers the next requests with these replies, in order, before falling back to the default. */
    public TestReceiver replies(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    public TestReceiver byDefault(Function<Received, Reply> reply) {
        this.defaultReply = reply;
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String pathPrefix) {
        List<Received> matching = new ArrayList<>();
        received.forEach(request -> {
            if (request.path().startsWith(pathPrefix)) {
                matching.add(request);
            }
        });
        return matching;
    }

    public int maxConcurrentForOneWebhookId() {
        return maxConcurrentForOneId.get();
    }

    /** The most requests this receiver ever had open at once, whatever they were. */
    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Received request = new Received(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(),
                Map.copyOf(exchange.getRequestHeaders()),
                body,
                Instant.now());
        maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
        received.add(request);
        String webhookId = request.header("webhook-id");
        AtomicInteger concurrentForId =
                webhookId == null ? null : concurrentById.computeIfAbsent(webhookId, id -> new AtomicInteger());
        if (concurrentForId != null) {
            maxConcurrentForOneId.accumulateAndGet(concurrentForId.incrementAndGet(), Math::max);
        }
        try {
            Reply reply = script.poll();
            if (reply == null) {
                reply = defaultReply.apply(request);
            }
            if (reply.hold() != null) {
                try {
                    reply.hold().await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            reply.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            // the dispatcher gave up on this request (deadline): nothing to answer
        } finally {
            if (concurrentForId != null) {
                concurrentForId.decrementAndGet();
            }
            concurrent.decrementAndGet();
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
