package com.idexa.webhooks.outbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.DefaultThreadFactory;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one way out of the process. Every call: resolves the host through the {@link NetworkPolicy} and connects
 * only to the addresses it checked (so DNS rebinding and IP literals gain nothing), never follows redirects,
 * never retries on its own, keeps no cookies, honours a connect timeout and a deadline for the whole exchange,
 * and reads at most a bounded number of response bytes: past them it closes the connection rather than drain it.
 * Every failure, also one while preparing the request, is an {@link OutboundFailure} whose message a client can
 * read.
 *
 * <p>It is asynchronous (Apache HttpClient 5's async client, HTTP/1.1 only): an exchange in flight costs a
 * connection and a few buffers, not a thread; a few I/O reactor threads serve them all. {@link #sendAsync} returns
 * at once; its future completes on whichever thread ends the exchange (a reactor thread, the deadline timer or a
 * thread that aborts it), so whoever waits on it must not block in a dependent stage: hand the rest on to an
 * executor. Name resolution (blocking) happens on the thread that calls {@link #sendAsync}, never on a reactor
 * thread: the answer is checked there and kept for the connect, which uses only checked addresses.
 */
public class OutboundHttpClient implements AutoCloseable {

    /** Most header lines read from an answer. */
    static final int MAX_HEADER_COUNT = 100;
    /** Longest line of an answer's head (status line or header). */
    static final int MAX_LINE_LENGTH = 8 * 1024;

    /** How long the body of an answer is read after its status line, when only the status matters. */
    static final Duration BODY_READ_WINDOW = Duration.ofSeconds(1);

    /** I/O reactor threads: a handful serve thousands of connections; more would only compete for the cores. */
    static final int IO_THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private final CloseableHttpAsyncClient http;
    private final ScheduledExecutorService deadlines;
    private final PolicyDnsResolver resolver;
    private final Duration requestTimeout;

    public OutboundHttpClient(
            NetworkPolicy policy, Duration connectTimeout, Duration requestTimeout, int maxConnections) {
        this.requestTimeout = requestTimeout;
        this.resolver = new PolicyDnsResolver(policy, requestTimeout);
        var connections = PoolingAsyncClientConnectionManagerBuilder.create()
                .setDnsResolver(resolver)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(requestTimeout))
                        .setTimeToLive(TimeValue.ofMinutes(2))
                        .build())
                .setDefaultTlsConfig(TlsConfig.custom()
                        .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                        .build())
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .build();
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(connections)
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(IO_THREADS)
                        .setSoTimeout(Timeout.of(requestTimeout))
                        .build())
                // The response head is bounded too: an endless header block must not fill the heap.
                .setHttp1Config(Http1Config.custom()
                        .setMaxHeaderCount(MAX_HEADER_COUNT)
                        .setMaxLineLength(MAX_LINE_LENGTH)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(requestTimeout))
                        .setResponseTimeout(Timeout.of(requestTimeout))
                        .setRedirectsEnabled(false)
                        .setHardCancellationEnabled(true)
                        .build())
                .setThreadFactory(new DefaultThreadFactory("outbound-io", true))
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableConnectionState()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
        this.http.start();
        ScheduledThreadPoolExecutor timers =
                new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("outbound-deadlines", true));
        // A cancelled deadline leaves the queue at once: kept until it would have run, every finished exchange
        // (its buffers and answer) would stay reachable for a request timeout, thousands of them a second.
        timers.setRemoveOnCancelPolicy(true);
        this.deadlines = timers;
    }

    /**
     * Sends the request and waits for the outcome: see {@link #sendAsync}.
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
        return outcomeOf(sendAsync(request, maxBodyBytes, abort), abort);
    }

    /**
     * Starts the exchange; the status line decides. The body is read for the delivery log only: at most {@code
     * maxBodyBytes} of it, for at most {@link #BODY_READ_WINDOW} after the status line; then the exchange is
     * aborted (its connection closed, the rest never read), so a 2xx with a huge, slow or endless body is a 2xx at
     * once. The future fails with an {@link OutboundFailure} when no HTTP answer came; an exchange aborted through
     * {@code abort} before its status line fails with kind {@code INTERRUPTED} and the abort's reason.
     *
     * <p>Resolves the host on the calling thread: never call it from a reactor thread (a dependent stage of
     * another exchange's future), hand it to an executor.
     */
    public CompletableFuture<OutboundResponse> sendAsync(OutboundRequest request, int maxBodyBytes, Abort abort) {
        return exchange(request, maxBodyBytes, BODY_READ_WINDOW, abort);
    }

    /**
     * Like {@link #sendAsync}, for answers whose body is the point (a token): the body may take until the
     * request's deadline. It is still read only up to {@code maxBodyBytes}; past that the exchange is aborted and
     * the response marked truncated.
     */
    CompletableFuture<OutboundResponse> sendForBodyAsync(OutboundRequest request, int maxBodyBytes) {
        return exchange(request, maxBodyBytes, requestTimeout, new Abort());
    }

    private static OutboundResponse outcomeOf(CompletableFuture<OutboundResponse> exchange, Abort abort)
            throws OutboundFailure {
        try {
            return exchange.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort.abort("interrupted by shutdown");
            throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, "interrupted by shutdown", 0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OutboundFailure failure) {
                throw failure;
            }
            throw new IllegalStateException("outbound exchange failed unexpectedly", e.getCause());
        }
    }

    private CompletableFuture<OutboundResponse> exchange(
            OutboundRequest request, int maxBodyBytes, Duration bodyWindow, Abort abort) {
        Exchange exchange = new Exchange(maxBodyBytes, bodyWindow, abort);
        try {
            exchange.start(request);
        } catch (OutboundFailure e) {
            exchange.result.completeExceptionally(e);
        }
        return exchange.result;
    }

    /** The request as the HTTP client takes it, or a failure that says, in words, why it cannot be made. */
    private static BasicRequestProducer prepare(OutboundRequest request) throws OutboundFailure {
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
            BasicHttpRequest httpRequest = new BasicHttpRequest(request.method(), uri);
            request.headers().forEach(httpRequest::addHeader);
            return new BasicRequestProducer(
                    httpRequest, request.body() == null ? null : new BasicAsyncEntityProducer(request.body(), null));
        } catch (RuntimeException e) { // building a request does no I/O: any failure means settings it cannot take
            throw invalid("request could not be built from the webhook's settings");
        }
    }

    private static OutboundFailure invalid(String message) {
        return new OutboundFailure(OutboundFailure.Kind.INVALID_REQUEST, message, 0);
    }

    /**
     * One exchange: its response consumer, its timers, and the one outcome it ends in. Whatever ends it first
     * (the answer read, the body window, the deadline, an abort, a failure) decides; the rest find it decided.
     */
    private final class Exchange implements AsyncResponseConsumer<Void> {

        final CompletableFuture<OutboundResponse> result = new CompletableFuture<>();
        private final long started = System.nanoTime();
        private final int maxBodyBytes;
        private final Duration bodyWindow;
        private final Abort abort;
        private volatile Future<Void> call;
        private ScheduledFuture<?> deadline;
        private ScheduledFuture<?> bodyDeadline;
        // Guarded by this: the answer so far.
        private int status = -1;
        private String retryAfter;
        private byte[] body;
        private int read;
        private boolean decided;

        Exchange(int maxBodyBytes, Duration bodyWindow, Abort abort) {
            this.maxBodyBytes = maxBodyBytes;
            this.bodyWindow = bodyWindow;
            this.abort = abort;
        }

        void start(OutboundRequest request) throws OutboundFailure {
            BasicRequestProducer producer = prepare(request);
            if (abort.aborted()) {
                throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, abort.reason(), 0);
            }
            try {
                resolver.check(request.uri().getHost());
            } catch (UnknownHostException e) {
                throw classify(e, false, elapsed());
            }
            try {
                deadline = deadlines.schedule(this::deadlinePassed, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, "interrupted by shutdown", 0);
            }
            try {
                call = http.execute(producer, this, null, null, new FutureCallback<>() {
                    @Override
                    public void completed(Void nothing) {}

                    @Override
                    public void failed(Exception e) {
                        broke(e);
                    }

                    @Override
                    public void cancelled() {
                        broke(new CancellationException());
                    }
                });
            } catch (RuntimeException e) {
                broke(e);
                return;
            }
            abort.attach(() -> {
                aborted();
                return true;
            });
            if (result.isDone()) {
                call.cancel(true); // decided while it was being started: make sure nothing is left open
            }
        }

        @Override
        public void consumeResponse(
                HttpResponse response, EntityDetails entity, HttpContext context, FutureCallback<Void> callback) {
            synchronized (this) {
                if (decided) {
                    return;
                }
                status = response.getCode();
                Header header = response.getFirstHeader("Retry-After");
                retryAfter = header == null ? null : header.getValue();
                body = new byte[entity == null ? 0 : maxBodyBytes];
            }
            if (entity == null) {
                answered(false);
                callback.completed(null);
                return;
            }
            long untilDeadline = requestTimeout.toMillis() - elapsed();
            if (bodyWindow.toMillis() < untilDeadline) {
                try {
                    bodyDeadline =
                            deadlines.schedule(this::bodyWindowPassed, bodyWindow.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // shutting down: the request's own deadline still holds
                }
            }
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {}

        @Override
        public void updateCapacity(CapacityChannel channel) throws IOException {
            channel.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer data) throws IOException {
            boolean more;
            synchronized (this) {
                if (decided) {
                    throw new BodyNotWanted(); // fails the exchange, which closes the connection
                }
                int take = Math.min(data.remaining(), maxBodyBytes - read);
                data.get(body, read, take);
                read += take;
                more = data.hasRemaining();
            }
            if (more) {
                answered(true);
                throw new BodyNotWanted(); // never drain what is left: the connection is closed instead
            }
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            answered(false);
        }

        @Override
        public void failed(Exception cause) {
            broke(cause);
        }

        @Override
        public void releaseResources() {}

        /** The answer as read so far is the outcome; {@code truncated} when more followed or the read was cut. */
        private void answered(boolean truncated) {
            OutboundResponse response;
            synchronized (this) {
                if (decided) {
                    return;
                }
                decided = true;
                response = new OutboundResponse(status, retryAfter, Arrays.copyOf(body, read), truncated, elapsed());
            }
            endTimers();
            result.complete(response);
        }

        private void fail(OutboundFailure failure) {
            synchronized (this) {
                if (decided) {
                    return;
                }
                decided = true;
            }
            endTimers();
            result.completeExceptionally(failure);
        }

        /** The exchange failed: after the status line that cuts the body short (what arrived is kept). */
        private void broke(Throwable cause) {
            if (headRead()) {
                answered(true);
            } else if (abort.aborted()) {
                fail(new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, abort.reason(), elapsed()));
            } else {
                fail(classify(cause, false, elapsed()));
            }
        }

        private synchronized boolean headRead() {
            return status >= 0;
        }

        private void deadlinePassed() {
            if (headRead()) {
                answered(true);
            } else {
                fail(classify(null, true, elapsed()));
            }
            cancel();
        }

        private void bodyWindowPassed() {
            answered(true);
            cancel();
        }

        private void aborted() {
            if (headRead()) {
                answered(true);
            } else {
                fail(new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, abort.reason(), elapsed()));
            }
            cancel();
        }

        /** Closes the connection, whatever the exchange is doing (leasing, connecting, sending, reading). */
        private void cancel() {
            Future<Void> current = call;
            if (current != null) {
                current.cancel(true);
            }
        }

        private void endTimers() {
            abort.detach();
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (bodyDeadline != null) {
                bodyDeadline.cancel(false);
            }
        }

        private long elapsed() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        }
    }

    /** Thrown into the client to end an exchange whose body is no longer wanted: it closes the connection. */
    private static final class BodyNotWanted extends IOException {
        BodyNotWanted() {
            super("response body no longer read", null);
        }
    }

    private OutboundFailure classify(Throwable e, boolean deadlinePassed, long elapsed) {
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
        if (find(e, IllegalArgumentException.class) != null) {
            return new OutboundFailure(
                    OutboundFailure.Kind.INVALID_REQUEST,
                    "request could not be sent: its URL or headers are not valid HTTP",
                    elapsed);
        }
        if (find(e, CancellationException.class) != null
                || find(e, IllegalStateException.class) != null
                || find(e, InterruptedIOException.class) != null) {
            // the client is shutting down (it cancels what is in flight and refuses new exchanges)
            return new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, "interrupted by shutdown", elapsed);
        }
        return new OutboundFailure(OutboundFailure.Kind.CONNECTION, "connection failed or closed early", elapsed);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    /**
     * Lets the reactor threads close their connections themselves for a moment (closing them from this thread while
     * a reactor thread is busy with them races it), then closes whatever is left.
     */
    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        http.initiateShutdown();
        try {
            http.awaitShutdown(TimeValue.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close(CloseMode.IMMEDIATE);
    }

    /**
     * The HTTP client's only resolver: every answer passes the network policy before a socket opens. The check is
     * made on the thread that starts an exchange ({@link #check}); the connect, on a reactor thread perhaps, takes
     * that checked answer, so it neither blocks on DNS nor connects anywhere unchecked. A host without a recent
     * checked answer is resolved and checked at connect time.
     */
    private static final class PolicyDnsResolver implements DnsResolver {

        private final NetworkPolicy policy;
        private final Cache<String, InetAddress[]> checked;

        PolicyDnsResolver(NetworkPolicy policy, Duration keep) {
            this.policy = policy;
            this.checked = Caffeine.newBuilder()
                    .maximumSize(10_000)
                    .expireAfterWrite(keep)
                    .executor(Runnable::run)
                    .build();
        }

        /** Resolves and checks the host now; the connect that follows uses this answer. */
        void check(String host) throws UnknownHostException {
            checked.put(key(host), policy.resolveAllowed(host));
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            InetAddress[] addresses = checked.getIfPresent(key(host));
            if (addresses == null) {
                addresses = policy.resolveAllowed(host);
            }
            return Arrays.copyOf(addresses, addresses.length);
        }

        /** The host as both callers may spell it: an IPv6 literal with or without brackets, in any case. */
        private static String key(String host) {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return bare.toLowerCase(Locale.ROOT);
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }
}
