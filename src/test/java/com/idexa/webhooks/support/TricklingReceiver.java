package com.idexa.webhooks.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw HTTP server on loopback that answers every request with its status line and headers at once, then a
 * first burst of body bytes, then more body bytes at a slow pace: forever, or up to a declared
 * {@code Content-Length}. It stops writing only when the client closes the connection, and counts what it
 * wrote, how many requests it saw and how many connections the client closed on it.
 */
public final class TricklingReceiver implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private final String head;
    private final long contentLength;
    private final int burstBytes;
    private final int trickleBytes;
    private final Duration trickleEvery;
    private final byte fill;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();
    private final AtomicLong bytesWritten = new AtomicLong();
    private volatile boolean headerFlood;

    private TricklingReceiver(
            int status, long contentLength, int burstBytes, int trickleBytes, Duration trickleEvery, byte fill) {
        this.contentLength = contentLength;
        this.burstBytes = burstBytes;
        this.trickleBytes = trickleBytes;
        this.trickleEvery = trickleEvery;
        this.fill = fill;
        this.head = "HTTP/1.1 " + status + " OK\r\nContent-Type: application/json\r\n"
                + (contentLength < 0 ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + contentLength + "\r\n")
                + "\r\n";
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        connections.execute(this::acceptLoop);
    }

    /** Answers 200 with an endless chunked body: {@code burstBytes} at once, then {@code trickleBytes} a beat. */
    public static TricklingReceiver endless(int burstBytes, int trickleBytes, Duration trickleEvery) {
        return new TricklingReceiver(200, -1, burstBytes, trickleBytes, trickleEvery, (byte) 'x');
    }

    /** Answers 200 with a {@code Content-Length} body of that many bytes, written as fast as the client reads. */
    public static TricklingReceiver huge(long contentLength) {
        return new TricklingReceiver(200, contentLength, 0, 64 * 1024, Duration.ZERO, (byte) 'x');
    }

    /** Answers a status line, then header lines of 8,000 bytes each, without end: a head that never finishes. */
    public static TricklingReceiver endlessHeaders() {
        TricklingReceiver receiver = new TricklingReceiver(200, -1, 0, 0, Duration.ZERO, (byte) 'a');
        receiver.headerFlood = true;
        return receiver;
    }

    /** A JSON-ish endless answer: starts an object and never ends it (for a token endpoint). */
    public static TricklingReceiver endlessJson(int burstBytes, int trickleBytes, Duration trickleEvery) {
        return new TricklingReceiver(200, -1, burstBytes, trickleBytes, trickleEvery, (byte) ' ');
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    public int requests() {
        return requests.get();
    }

    /** Connections on which a write failed because the client had closed it. */
    public int connectionsClosedByClient() {
        return closedByClient.get();
    }

    public long bodyBytesWritten() {
        return bytesWritten.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.execute(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (readRequestHead(in)) {
                requests.incrementAndGet();
                if (headerFlood) {
                    out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] line = ("X-A: " + "a".repeat(8000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    while (true) {
                        out.write(line);
                        bytesWritten.addAndGet(line.length);
                    }
                }
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long remaining = contentLength < 0 ? Long.MAX_VALUE : contentLength;
                remaining -= write(out, (int) Math.min(burstBytes, remaining));
                while (remaining > 0) {
                    if (!trickleEvery.isZero()) {
                        Thread.sleep(trickleEvery.toMillis());
                    }
                    remaining -= write(out, (int) Math.min(trickleBytes, remaining));
                }
                if (contentLength < 0) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
        } catch (IOException e) {
            closedByClient.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int write(OutputStream out, int bytes) throws IOException {
        if (bytes <= 0) {
            return 0;
        }
        byte[] data = new byte[bytes];
        Arrays.fill(data, fill);
        if (contentLength < 0) {
            out.write((Integer.toHexString(bytes) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(data);
        }
        out.flush();
        bytesWritten.addAndGet(bytes);
        return bytes;
    }

    /** Reads a request's head and body (by Content-Length); {@code false} when the client closed instead. */
    private static boolean readRequestHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                long length = 0;
                for (String line : head.toString().split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(
                                line.substring("content-length:".length()).strip());
                    }
                }
                in.readNBytes((int) length);
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.shutdownNow();
    }
}
