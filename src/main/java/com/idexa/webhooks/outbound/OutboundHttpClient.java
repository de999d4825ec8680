package com.idexa.webhooks.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one way out of the process. Every call: resolves the host through the {@link NetworkPolicy} and connects
 * only to the addresses it checked (so DNS rebinding and IP literals gain nothing), never follows redirects,
 * never retries on its own, keeps no cookies, honours a connect timeout and a deadline for the whole exchange,
 * and reads at most a bounded number of response bytes: past them it closes the connection rather than drain it.
 * Every failure, also one while preparing the request, is an {@link OutboundFailure} whose message a client can
 * read.
 */
public class OutboundHttpClient implements AutoCloseable {

    /** Most header lines read from an answer. */
    static final int MAX_HEADER_COUNT = 100;
    /** Longest line of an answer's head (status line or header). */
    static final int MAX_LINE_LENGTH = 8 * 1024;

    /** How long the body of an answer is read after its status line, when only the status matters. */
    static final Duration BODY_READ_WINDOW = Duration.ofSeconds(1);

    private final CloseableHttpClient http;
    private final ScheduledExecutorService deadlines;
    private final Duration requestTimeout;

    public OutboundHttpClient(
            NetworkPolicy policy, Duration connectTimeout, Duration requestTimeout, int maxConnections) {
        this.requestTimeout = requestTimeout;
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new PolicyDnsResolver(policy))
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(requestTimeout))
                        .setTimeToLive(TimeValue.ofMinutes(2))
                        .build())
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                // The response head is bounded too: an endless header block must not fill the heap.
                .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom()
                                .setMaxHeaderCount(MAX_HEADER_COUNT)
                                .setMaxLineLength(MAX_LINE_LENGTH)
                                .build())
                        .build())
                .build();
        this.http = HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(requestTimeout))
                        .setResponseTimeout(Timeout.of(requestTimeout))
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableDefaultUserAgent()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
        this.deadlines = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "outbound-deadlines");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Sends the request; the status line decides. The body is read for the delivery log only: at most
     * {@code maxBodyBytes} of it, for at most {@link #BODY_READ_WINDOW} after the status line; then the exchange is
     * aborted (its connection closed, the rest never read), so a 2xx with a huge, slow or endless body is a 2xx
     * at once.
     *
     * @param maxBodyBytes how much of the response body to read; the rest is never read
     * @throws OutboundFailure when no HTTP answer came: timeout, refused or failed connection, blocked address, or
     *     a request that could not be built (an unusable URL)
     */
    public OutboundResponse send(OutboundRequest request, int maxBodyBytes) throws OutboundFailure {
        return send(request, maxBodyBytes, new Abort());
    }

    /**
     * As {@link #send(OutboundRequest, int)}, abortable from another thread through {@code abort}: an exchange
     * aborted before its status line ends in an {@code INTERRUPTED} failure carrying the abort's reason.
     */
    public OutboundResponse send(OutboundRequest request, int maxBodyBytes, Abort abort) throws OutboundFailure {
        return exchange(request, maxBodyBytes, BODY_READ_WINDOW, abort);
    }

    /**
     * Like {@link #send}, for answers whose body is the point (a token): the body may take until the request's
     * deadline. It is still read only up to {@code maxBodyBytes}; past that the exchange is aborted and the
     * response marked truncated.
     */
    OutboundResponse sendForBody(OutboundRequest request, int maxBodyBytes) throws OutboundFailure {
        return exchange(request, maxBodyBytes, requestTimeout, new Abort());
    }

    private OutboundResponse exchange(OutboundRequest request, int maxBodyBytes, Duration bodyWindow, Abort aborts)
            throws OutboundFailure {
        long started = System.nanoTime();
        HttpUriRequestBase httpRequest = prepare(request);
        if (aborts.aborted()) {
            throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, aborts.reason(), 0);
        }
        AtomicBoolean deadlinePassed = new AtomicBoolean();
        Runnable abort = httpRequest::cancel; // closes the connection: aborts connect, send and read alike
        ScheduledFuture<?> deadline;
        try {
            deadline = deadlines.schedule(
                    () -> {
                        deadlinePassed.set(true);
                        abort.run();
                    },
                    requestTimeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, "interrupted by shutdown", 0);
        }
        ScheduledFuture<?> bodyDeadline = null;
        aborts.attach(httpRequest);
        try {
            ClassicHttpResponse response = open(httpRequest, deadlinePassed, started, aborts);
            try {
                bodyDeadline = bodyDeadline(abort, bodyWindow, started);
                Body body = readAtMost(response.getEntity(), maxBodyBytes);
                if (body.truncated()) {
                    abort.run(); // never drain what is left: close the connection instead
                }
                Header retryAfter = response.getFirstHeader("Retry-After");
                return new OutboundResponse(
                        response.getCode(),
                        retryAfter == null ? null : retryAfter.getValue(),
                        body.bytes(),
                        body.truncated(),
                        elapsed(started));
            } finally {
                closeQuietly(response);
            }
        } finally {
            aborts.detach();
            deadline.cancel(false);
            if (bodyDeadline != null) {
                bodyDeadline.cancel(false);
            }
        }
    }

    /** Cuts the body read short at the end of the window, when that comes before the request's deadline. */
    private ScheduledFuture<?> bodyDeadline(Runnable abort, Duration bodyWindow, long started) {
        long untilDeadline = requestTimeout.toMillis() - elapsed(started);
        if (bodyWindow.toMillis() >= untilDeadline) {
            return null;
        }
        try {
            return deadlines.schedule(abort, bodyWindow.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // shutting down: the request's own deadline still holds
        }
    }

    private ClassicHttpResponse open(
            HttpUriRequestBase httpRequest, AtomicBoolean deadlinePassed, long started, Abort aborts)
            throws OutboundFailure {
        try {
            return http.executeOpen(null, httpRequest, null);
        } catch (IOException e) {
            if (aborts.aborted() && !deadlinePassed.get()) {
                throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, aborts.reason(), elapsed(started));
            }
            throw classify(e, deadlinePassed.get(), elapsed(started));
        } catch (RuntimeException e) {
            // Cancelling a connect at the deadline (or by an abort) can surface from inside the client unchecked.
            if (deadlinePassed.get()) {
                throw classify(new IOException(e), true, elapsed(started));
            }
            if (aborts.aborted()) {
                throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, aborts.reason(), elapsed(started));
            }
            if (e instanceof IllegalArgumentException) {
                throw new OutboundFailure(
                        OutboundFailure.Kind.INVALID_REQUEST,
                        "request could not be sent: its URL or headers are not valid HTTP",
                        elapsed(started));
            }
            if (e instanceof IllegalStateException) {
                throw new OutboundFailure(
                        OutboundFailure.Kind.INTERRUPTED, "interrupted by shutdown", elapsed(started));
            }
            throw e;
        }
    }

    /** The request as the HTTP client takes it, or a failure that says, in words, why it cannot be made. */
    private static HttpUriRequestBase prepare(OutboundRequest request) throws OutboundFailure {
        URI uri = request.uri();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid("URL is not http or https");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid("URL has no valid host");
        }
        int port = uri.getPort();
        if (port != -1 && (port < 1 || port > 65535)) {
            throw invalid("URL port " + port + " is outside 1-65535");
        }
        try {
            HttpUriRequestBase httpRequest = new HttpUriRequestBase(request.method(), uri);
            request.headers().forEach(httpRequest::addHeader);
            if (request.body() != null) {
                httpRequest.setEntity(new ByteArrayEntity(request.body(), null));
            }
            return httpRequest;
        } catch (RuntimeException e) { // building a request does no I/O: any failure means settings it cannot take
            throw invalid("request could not be built from the webhook's settings");
        }
    }

    private static OutboundFailure invalid(String message) {
        return new OutboundFailure(OutboundFailure.Kind.INVALID_REQUEST, message, 0);
    }

    private record Body(byte[] bytes, boolean truncated) {}

    /**
     * Reads up to {@code max} bytes. {@code truncated} when more follows, and also when the read was cut short
     * (the body window or the deadline closed the connection, or the peer reset it): what arrived is kept.
     */
    private static Body readAtMost(HttpEntity entity, int max) {
        if (entity == null) {
            return new Body(new byte[0], false);
        }
        byte[] buffer = new byte[max];
        int read = 0;
        try {
            InputStream in = entity.getContent();
            while (read < max) {
                int n = in.read(buffer, read, max - read);
                if (n < 0) {
                    return new Body(Arrays.copyOf(buffer, read), false);
                }
                read += n;
            }
            return new Body(buffer, in.read() >= 0);
        } catch (IOException e) {
            return new Body(Arrays.copyOf(buffer, read), true);
        }
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        try {
            response.close(); // after an abort nothing is left to drain; after a complete body it frees the connection
        } catch (IOException e) {
            // the connection is gone either way
        }
    }

    private OutboundFailure classify(IOException e, boolean deadlinePassed, long elapsed) {
        if (deadlinePassed) {
            return new OutboundFailure(
                    OutboundFailure.Kind.TIMEOUT,
                    "no complete answer within " + requestTimeout.toMillis() + " ms",
                    elapsed);
        }
        AddressBlocked blocked = find(e, AddressBlocked.class);
        if (blocked != null) {
            return new OutboundFailure(
                    OutboundFailure.Kind.BLOCKED, "blocked by the network policy: " + blocked.getMessage(), elapsed);
        }
        if (find(e, MessageConstraintException.class) != null) {
            return new OutboundFailure(
                    OutboundFailure.Kind.CONNECTION,
                    "the answer's headers are too large (more than " + MAX_HEADER_COUNT + " headers or a line over "
                            + MAX_LINE_LENGTH / 1024 + " KiB)",
                    elapsed);
        }
        if (find(e, ConnectTimeoutException.class) != null) {
            return new OutboundFailure(OutboundFailure.Kind.TIMEOUT, "connect timed out", elapsed);
        }
        if (find(e, SocketTimeoutException.class) != null) {
            return new OutboundFailure(
                    OutboundFailure.Kind.TIMEOUT, "no answer within " + requestTimeout.toMillis() + " ms", elapsed);
        }
        if (find(e, UnknownHostException.class) != null) {
            return new OutboundFailure(OutboundFailure.Kind.CONNECTION, "host name could not be resolved", elapsed);
        }
        if (find(e, HttpHostConnectException.class) != null || find(e, ConnectException.class) != null) {
            return new OutboundFailure(OutboundFailure.Kind.CONNECTION, "connection refused", elapsed);
        }
        if (find(e, NoRouteToHostException.class) != null) {
            return new OutboundFailure(OutboundFailure.Kind.CONNECTION, "no route to host", elapsed);
        }
        if (find(e, SSLException.class) != null) {
            return new OutboundFailure(OutboundFailure.Kind.CONNECTION, "TLS handshake or session failed", elapsed);
        }
        if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            return new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, "interrupted by shutdown", elapsed);
        }
        return new OutboundFailure(OutboundFailure.Kind.CONNECTION, "connection failed or closed early", elapsed);
    }

    private static long elapsed(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        http.close();
    }

    /** The HTTP client's only resolver: every answer passes the network policy before a socket opens. */
    private record PolicyDnsResolver(NetworkPolicy policy) implements DnsResolver {

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            InetAddress[] addresses = policy.resolveAllowed(host);
            return Arrays.copyOf(addresses, addresses.length);
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            return host;
        }
    }
}
