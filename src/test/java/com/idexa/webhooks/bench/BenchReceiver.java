package com.idexa.webhooks.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.ToLongFunction;

/**
 * The clients' endpoints, on loopback: a JDK {@code HttpServer} whose handlers never block. An answer that must
 * wait is scheduled (so thousands of slow or held answers cost a timer entry each, not a thread); an endpoint
 * that hangs keeps the exchange open, unanswered, until {@link #releaseHung()}. How each request is answered is
 * set per scenario by {@link #answer}, from the request's path. Notes when each document first arrived (by the
 * path's last segment) and how many requests were open at once.
 */
final class BenchReceiver implements AutoCloseable {

    /** An answer delay meaning: accept the request, never answer it. */
    static final long HANG = -1;

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(8);
    private final ScheduledExecutorService answers = Executors.newScheduledThreadPool(2);
    private final Map<String, Long> firstArrival = new ConcurrentHashMap<>();
    private final Queue<HttpExchange> hung = new ConcurrentLinkedQueue<>();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAccumulator mostOpen = new LongAccumulator(Math::max, 0);
    private volatile ToLongFunction<String> delayMillisOf = path -> 0;

    BenchReceiver() throws IOException {
        // The JDK server keeps only 200 idle keep-alive connections by default; the service holds thousands.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "10000");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** How long to wait before answering 200 to a request for this path; 0 at once, {@link #HANG} never. */
    void answer(ToLongFunction<String> delayMillisOfPath) {
        this.delayMillisOf = delayMillisOfPath;
    }

    /** Arrival time (System.nanoTime) of each document id seen so far. */
    Map<String, Long> arrivals() {
        return firstArrival;
    }

    int openNow() {
        return open.get();
    }

    /** The most requests open at once since the last call. */
    long mostOpenSinceLastAsked() {
        return mostOpen.getThenReset();
    }

    /** Closes the connections of every hung request (the sender sees them reset). */
    void releaseHung() {
        HttpExchange exchange;
        while ((exchange = hung.poll()) != null) {
            exchange.close();
            open.decrementAndGet();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.transferTo(OutputStream.nullOutputStream());
        }
        long now = System.nanoTime();
        mostOpen.accumulate(open.incrementAndGet());
        String path = exchange.getRequestURI().getRawPath();
        if (!path.startsWith("/ceiling")) {
            firstArrival.putIfAbsent(path.substring(path.lastIndexOf('/') + 1), now);
        }
        long delay = delayMillisOf.applyAsLong(path);
        if (delay == HANG) {
            hung.add(exchange);
        } else if (delay > 0) {
            answers.schedule(() -> answer(exchange), delay, TimeUnit.MILLISECONDS);
        } else {
            answer(exchange);
        }
    }

    private void answer(HttpExchange exchange) {
        try {
            exchange.sendResponseHeaders(200, -1);
        } catch (IOException senderGaveUp) {
            // the sender timed out and closed the connection: nothing to answer
        } finally {
            exchange.close();
            open.decrementAndGet();
        }
    }

    @Override
    public void close() {
        releaseHung();
        server.stop(0);
        answers.shutdownNow();
        handlers.shutdownNow();
    }
}
