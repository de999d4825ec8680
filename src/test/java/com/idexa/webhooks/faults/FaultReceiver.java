package com.idexa.webhooks.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The clients' endpoints, on 127.0.0.1: client {@code n} is the path {@code /c<n>/<document id>}. Answers 200 at
 * once, records every request (its {@code webhook-id}, when it arrived and when it ended, and how), and can be taken
 * down (the port refuses connections, open ones are cut) or made to hang for some clients.
 *
 * <p>A minimal HTTP/1.1 server on plain sockets rather than the JDK's {@code HttpServer}: a hanging request must end
 * when the sender gives up (it closes the connection), and only a socket of our own shows that. That end time is
 * what tells a concurrent second send of one webhook-id from a sequential one.
 */
final class FaultReceiver implements AutoCloseable {

    enum Ending {
        /** 200 written and flushed: the delivery succeeded. */
        ANSWERED_2XX,
        /** hung, and the sender closed the connection (its timeout). */
        ABANDONED_BY_SENDER,
        /** hung until the hang ended; then closed without an answer. */
        HELD_THEN_CLOSED,
        /** the receiver went down while the request was open. */
        CUT
    }

    record Request(String webhookId, int client, String documentId, long arrived, long ended, Ending ending) {}

    private static final int MAX_CONNECTIONS = 2000;
    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fault-receiver");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
    private final int port;
    private volatile ServerSocket server;
    private volatile Set<Integer> hangingClients = Set.of();
    private volatile long hangUntil;

    FaultReceiver() throws IOException {
        server = bind(0);
        port = server.getLocalPort();
        accept(server);
    }

    String url(int client) {
        return "http://127.0.0.1:" + port + "/c" + client + "/:id";
    }

    /** Every request so far. */
    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    void forget() {
        requests.clear();
    }

    /** The port refuses connections from now on, and every open connection is cut. */
    synchronized void down() throws IOException {
        server.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }

    /** Listens again on the same port. */
    synchronized void up() throws IOException {
        server = bind(port);
        accept(server);
    }

    /** Requests of these clients that arrive before {@code untilNanos} are held without an answer until then. */
    void hang(Set<Integer> clients, long untilNanos) {
        hangUntil = untilNanos;
        hangingClients = Set.copyOf(clients);
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        return socket;
    }

    private void accept(ServerSocket listening) {
        Thread acceptor = new Thread(
                () -> {
                    while (!listening.isClosed()) {
                        try {
                            Socket connection = listening.accept();
                            if (connections.size() >= MAX_CONNECTIONS) {
                                connection.close();
                                continue;
                            }
                            connections.add(connection);
                            threads.execute(() -> serve(connection));
                        } catch (IOException closed) {
                            return;
                        }
                    }
                },
                "fault-receiver-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve(Socket connection) {
        try (connection) {
            connection.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            while (true) {
                Map<String, String> head = readHead(in);
                if (head == null) {
                    return;
                }
                long arrived = System.nanoTime();
                String path = head.get(":path");
                int client = clientOf(path);
                String webhookId = head.get("webhook-id");
                String documentId = path.substring(path.lastIndexOf('/') + 1);
                try {
                    skipBody(in, head);
                    if (hangingClients.contains(client) && arrived < hangUntil) {
                        Ending ending = hold(connection, in);
                        requests.add(new Request(webhookId, client, documentId, arrived, System.nanoTime(), ending));
                        return;
                    }
                    out.write(OK);
                    out.flush();
                    requests.add(new Request(
                            webhookId, client, documentId, arrived, System.nanoTime(), Ending.ANSWERED_2XX));
                } catch (IOException cut) {
                    requests.add(new Request(webhookId, client, documentId, arrived, System.nanoTime(), Ending.CUT));
                    return;
                }
                if ("close".equalsIgnoreCase(head.get("connection"))) {
                    return;
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the sender closed the connection or sent something that is not HTTP; nothing to record
        } finally {
            connections.remove(connection);
        }
    }

    /** Holds a request without answering until the hang ends or the sender closes the connection. */
    private Ending hold(Socket connection, InputStream in) throws IOException {
        connection.setSoTimeout(100);
        while (System.nanoTime() < hangUntil) {
            try {
                if (in.read() < 0) {
                    return Ending.ABANDONED_BY_SENDER;
                }
            } catch (SocketTimeoutException stillThere) {
                // the sender is still waiting
            } catch (IOException reset) {
                return Ending.ABANDONED_BY_SENDER;
            }
        }
        return Ending.HELD_THEN_CLOSED;
    }

    private static int clientOf(String path) {
        if (path.startsWith("/c")) {
            int end = path.indexOf('/', 2);
            if (end > 2) {
                try {
                    return Integer.parseInt(path.substring(2, end));
                } catch (NumberFormatException notOurs) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** @return the request line's path under {@code :path} and the headers by lower-case name; null at end of stream */
    private static Map<String, String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("connection ended inside a request head");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (head.size() > 64 * 1024) {
                throw new IOException("request head too large");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new ConcurrentHashMap<>();
        headers.put(":path", lines[0].split(" ")[1]);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static void skipBody(InputStream in, Map<String, String> head) throws IOException {
        if ("chunked".equalsIgnoreCase(head.get("transfer-encoding"))) {
            while (true) {
                StringBuilder size = new StringBuilder();
                for (int b = in.read(); b != '\n'; b = in.read()) {
                    if (b < 0) {
                        throw new IOException("connection ended inside a chunked body");
                    }
                    size.append((char) b);
                }
                String hex = size.toString().trim();
                int semicolon = hex.indexOf(';');
                long length = Long.parseLong(semicolon >= 0 ? hex.substring(0, semicolon) : hex, 16);
                if (length == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return;
                }
                in.skipNBytes(length);
                readLine(in);
            }
        }
        String length = head.get("content-length");
        if (length != null) {
            in.skipNBytes(Long.parseLong(length));
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection ended inside a line");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        down();
        threads.shutdownNow();
    }
}
