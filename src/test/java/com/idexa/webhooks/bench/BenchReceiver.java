package com.idexa.webhooks.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark's client endpoints, on loopback: answers 200 at once (or after {@code delayMillis}); paths under
 * {@code /dead/} never answer in time. Notes when each document first arrived, by the last path segment.
 */
final class BenchReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(256);
    private final Map<String, Long> firstArrival = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private volatile long delayMillis;
    private volatile long deadHoldMillis = 5_000;

    BenchReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void delay(long millis) {
        this.delayMillis = millis;
    }

    /** Arrival time (System.nanoTime) of each document id seen so far. */
    Map<String, Long> arrivals() {
        return firstArrival;
    }

    long requests() {
        return requests.sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.transferTo(OutputNull.INSTANCE);
        }
        long now = System.nanoTime();
        String path = exchange.getRequestURI().getRawPath();
        requests.increment();
        try {
            if (path.startsWith("/dead/")) {
                Thread.sleep(deadHoldMillis);
            } else if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!path.startsWith("/ceiling")) {
            firstArrival.putIfAbsent(path.substring(path.lastIndexOf('/') + 1), now);
        }
        try {
            exchange.sendResponseHeaders(200, -1);
        } catch (IOException e) {
            // the sender gave up (timeout); nothing to answer
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** Discards bytes. */
    private static final class OutputNull extends java.io.OutputStream {
        static final OutputNull INSTANCE = new OutputNull();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
