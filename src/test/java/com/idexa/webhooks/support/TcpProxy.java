package com.idexa.webhooks.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A TCP proxy on loopback between the service and its database, so a test can take the database away (every
 * connection cut, new ones closed at once), freeze it (connections stay open, nothing is answered, as with a
 * stopped process) and bring it back, without touching the database every other test shares.
 */
public final class TcpProxy implements AutoCloseable {

    private enum State {
        OPEN,
        CUT,
        FROZEN
    }

    private static final Pattern JDBC_URL = Pattern.compile("jdbc:postgresql://([^/:]+):(\\d+)(/.*)");

    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final String jdbcUrl;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile State state = State.OPEN;

    private TcpProxy(String jdbcUrl) {
        Matcher url = JDBC_URL.matcher(jdbcUrl);
        if (!url.matches()) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL with host and port: " + jdbcUrl);
        }
        this.upstreamHost = url.group(1);
        this.upstreamPort = Integer.parseInt(url.group(2));
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + url.group(3);
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy in front of the database at this JDBC URL. */
    public static TcpProxy inFrontOf(String jdbcUrl) {
        return new TcpProxy(jdbcUrl);
    }

    /** Points a test's Spring datasource at this proxy, with the test database's own credentials. */
    public void serveAsDataSource(DynamicPropertyRegistry registry) {
        TestDatabase.Connection real = TestDatabase.get();
        registry.add("spring.datasource.url", this::jdbcUrl);
        registry.add("spring.datasource.username", real::username);
        registry.add("spring.datasource.password", real::password);
    }

    /** The JDBC URL that goes through the proxy. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** Closes every connection through the proxy and each new one at once, as a database that went away. */
    public void cut() {
        state = State.CUT;
        sockets.forEach(TcpProxy::closeQuietly);
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    /** Forwards nothing more, in either direction, while connections stay open: a stopped database. */
    public void freeze() {
        state = State.FROZEN;
    }

    /** Forwards again; after a cut, new connections reach the database. */
    public void restore() {
        state = State.OPEN;
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (state == State.CUT) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(upstreamHost, upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // the proxy was closed, or the database refused: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            if (!awaitForwarding()) {
                                break;
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // either side closed
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits while frozen; false once the proxy is cut. */
    private boolean awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (state == State.FROZEN) {
                gate.wait(100);
            }
        }
        return state == State.OPEN;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
