package com.idexa.webhooks.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An endpoint that accepts connections, reads the request head and never answers: it holds each connection until
 * the caller closes it, and counts, per first path segment, the requests open right now, the most ever open at
 * once since the last {@link #resetPeaks()}, and the connections the caller gave up on. A path segment can be told
 * to {@link #answer(String) answer} 200 at once instead (the endpoint recovered).
 */
public final class HangingReceiver implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "hanging-receiver");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> givenUp = new ConcurrentHashMap<>();
    private final AtomicInteger openInAll = new AtomicInteger();
    private final AtomicInteger peakInAll = new AtomicInteger();
    private final Set<String> answering = ConcurrentHashMap.newKeySet();
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();

    private HangingReceiver() {
        try {
            server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        connections.execute(this::accept);
    }

    public static HangingReceiver start() {
        return new HangingReceiver();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** From now on, requests under {@code /segment/} are answered 200 at once. */
    public void answer(String segment) {
        answering.add(segment);
    }

    public int openNow() {
        return openInAll.get();
    }

    public int openNow(String segment) {
        return count(open, segment);
    }

    /** The most requests open at once, in all, since the last reset. */
    public int peakInAll() {
        return peakInAll.get();
    }

    /** The most requests under {@code /segment/} open at once since the last reset. */
    public int peak(String segment) {
        return count(peak, segment);
    }

    public void resetPeaks() {
        peak.forEach((segment, value) -> value.set(openNow(segment)));
        peakInAll.set(openInAll.get());
    }

    /** Connections under {@code /segment/} the caller closed without an answer. */
    public int givenUp(String segment) {
        return count(givenUp, segment);
    }

    private static int count(Map<String, AtomicInteger> counts, String segment) {
        AtomicInteger count = counts.get(segment);
        return count == null ? 0 : count.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                live.add(socket);
                connections.execute(() -> hold(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void hold(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String path = head.split(" ", 3)[1];
            String segment = path.split("/", 3)[1];
            if (answering.contains(segment)) {
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            int now = open.computeIfAbsent(segment, key -> new AtomicInteger()).incrementAndGet();
            peak.computeIfAbsent(segment, key -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            peakInAll.accumulateAndGet(openInAll.incrementAndGet(), Math::max);
            try {
                while (in.read(new byte[4096]) >= 0) {
                    // the body, then nothing: wait for the caller to give up
                }
            } catch (IOException e) {
                // reset by the caller: given up all the same
            } finally {
                openInAll.decrementAndGet();
                open.get(segment).decrementAndGet();
                givenUp.computeIfAbsent(segment, key -> new AtomicInteger()).incrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            // a connection that broke before its head: nothing to count
        } finally {
            live.remove(socket);
        }
    }

    /** The request line and headers, or {@code null} when the connection ended first. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        live.forEach(socket -> {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        });
        connections.shutdownNow();
    }
}
