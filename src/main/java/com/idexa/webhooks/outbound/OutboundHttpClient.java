package com.idexa.webhooks.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
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
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one way out of the process. Every call: resolves the host through the {@link NetworkPolicy} and connects
 * only to the addresses it checked (so DNS rebinding and IP literals gain nothing), never follows redirects,
 * never retries on its own, keeps no cookies, honours a connect timeout and a deadline for the whole exchange,
 * and reads at most a bounded number of response bytes.
 */
public class OutboundHttpClient implements AutoCloseable {

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
     * @param maxBodyBytes how much of the response body to read; the rest is never read
     * @throws OutboundFailure when no HTTP answer came: timeout, refused or failed connection, blocked address
     */
    public OutboundResponse send(OutboundRequest request, int maxBodyBytes) throws OutboundFailure {
        return send(request, maxBodyBytes, new Abort());
    }

    /**
     * As {@link #send(OutboundRequest, int)}, abortable from another thread through {@code abort}.
     *
     * @throws OutboundFailure of kind {@code INTERRUPTED} when aborted
     */
    public OutboundResponse send(OutboundRequest request, int maxBodyBytes, Abort abort) throws OutboundFailure {
        HttpUriRequestBase httpRequest = new HttpUriRequestBase(request.method(), request.uri());
        request.headers().forEach(httpRequest::addHeader);
        if (request.body() != null) {
            httpRequest.setEntity(new ByteArrayEntity(request.body(), null));
        }
        AtomicBoolean deadlinePassed = new AtomicBoolean();
        long started = System.nanoTime();
        ScheduledFuture<?> deadline = deadlines.schedule(
                () -> {
                    deadlinePassed.set(true);
                    httpRequest.cancel(); // aborts connect, send and read alike
                },
                requestTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        abort.attach(httpRequest);
        try (ClassicHttpResponse response = http.executeOpen(null, httpRequest, null)) {
            byte[] body = new byte[0];
            boolean truncated = false;
            HttpEntity entity = response.getEntity();
            if (entity != null) {
                try (InputStream in = entity.getContent()) {
                    body = in.readNBytes(maxBodyBytes);
                    truncated = in.read() >= 0;
                }
            }
            Header retryAfter = response.getFirstHeader("Retry-After");
            return new OutboundResponse(
                    response.getCode(),
                    retryAfter == null ? null : retryAfter.getValue(),
                    body,
                    truncated,
                    elapsed(started));
        } catch (IOException e) {
            if (abort.aborted() && !deadlinePassed.get()) {
                throw new OutboundFailure(OutboundFailure.Kind.INTERRUPTED, abort.reason(), elapsed(started));
            }
            throw classify(e, deadlinePassed.get(), elapsed(started));
        } finally {
            abort.detach();
            deadline.cancel(false);
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
