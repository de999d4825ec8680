package com.idexa.webhooks.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code webhooks.*} setting. Each one is documented once, in the README's configuration table.
 *
 * @param adminToken bearer token of the admin API; when unset the admin API refuses every request
 * @param internalToken bearer token of the platform's intake API; when unset intake refuses every request
 * @param encryptionKey base64 of 32 random bytes: the AES-256-GCM key for webhook secrets at rest; it seals and opens
 * @param previousEncryptionKeys keys that were {@code encryptionKey} before: they only open, and what they sealed is
 *     re-sealed with {@code encryptionKey} in the background
 */
@Validated
@ConfigurationProperties("webhooks")
public record WebhooksProperties(
        String adminToken,
        String internalToken,
        String encryptionKey,
        @DefaultValue List<String> previousEncryptionKeys,
        @Valid @DefaultValue Api api,
        @Valid @DefaultValue Outbound outbound,
        @Valid @DefaultValue Delivery delivery,
        @Valid @DefaultValue Signing signing,
        @Valid @DefaultValue Endpoint endpoint,
        @Valid @DefaultValue Operator operator) {

    /**
     * @param maxBodySize largest request body the client and admin APIs accept
     * @param intakeMaxBodySize largest request body the intake API accepts (batches are large)
     * @param intakeBodiesAtOnce most bytes of intake request bodies held at once, by all requests together; beyond
     *     it intake answers 503 with {@code Retry-After} rather than run out of heap (a body costs several times its
     *     size while it is parsed and written). Unset: a sixteenth of the heap, never less than one largest body.
     * @param bodyReadTimeout longest time a request body may take to arrive, from when its reading begins (408 beyond):
     *     a sender dripping its body must not hold a request thread for longer
     */
    public record Api(
            @DefaultValue("64KB") DataSize maxBodySize,
            @DefaultValue("16MB") DataSize intakeMaxBodySize,
            DataSize intakeBodiesAtOnce,
            @DefaultValue("30s") Duration bodyReadTimeout) {

        public Api {
            if (intakeBodiesAtOnce != null && intakeBodiesAtOnce.toBytes() < 1) {
                throw new IllegalArgumentException("webhooks.api.intake-bodies-at-once must be at least 1B");
            }
            if (bodyReadTimeout != null && (bodyReadTimeout.isZero() || bodyReadTimeout.isNegative())) {
                throw new IllegalArgumentException("webhooks.api.body-read-timeout must be positive");
            }
        }

        /** {@link #intakeBodiesAtOnce}, or its default for this JVM's heap. */
        public long intakeBodiesAtOnceBytes() {
            return intakeBodiesAtOnce != null
                    ? intakeBodiesAtOnce.toBytes()
                    : Math.max(intakeMaxBodySize.toBytes(), Runtime.getRuntime().maxMemory() / 16);
        }
    }

    /**
     * @param allowPrivateNetworks let client URLs reach loopback and private networks (local development only)
     * @param connectTimeout TCP connect timeout of every outbound call
     * @param requestTimeout deadline of a whole outbound request, from connect to the last byte read
     * @param maxResponseBody how much of a client's response body is read and kept in the delivery log
     * @param maxConnections size of the outbound connection pool
     */
    public record Outbound(
            @DefaultValue("false") boolean allowPrivateNetworks,
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("15s") Duration requestTimeout,
            @DefaultValue("4KB") DataSize maxResponseBody,
            @DefaultValue("2000") @Min(1) int maxConnections) {}

    /**
     * @param enabled whether this instance runs a dispatcher (intake and the API work either way)
     * @param retryDelays the wait before each retry; after the last one fails the delivery is FAILED
     * @param jitter each delay is spread at random by up to this fraction, either way
     * @param retryAfterCap the longest {@code Retry-After} honoured on 429 and 503
     * @param lease how long a claimed delivery stays claimed without a heartbeat before another instance may take
     *     it over: how soon a killed instance's deliveries are attempted again
     * @param heartbeatInterval how often an instance renews the leases of the deliveries it holds; at most a
     *     third of the lease
     * @param pollInterval how often the dispatcher looks for due deliveries when nothing wakes it
     * @param claimBatchSize most deliveries claimed in one statement
     * @param maxInFlight most attempts in flight at once on this instance
     * @param maxInFlightPerClient most attempts in flight at once for one client on this instance
     * @param tripAfter unanswered attempts in a row (timed out, or no connection) after which a client may have
     *     only one attempt in flight, a probe, until an attempt is answered
     * @param slowAfter a client with an attempt in flight longer than this, unanswered, gets no new attempt until
     *     that one ends
     * @param probeShare the share of {@code maxInFlight} the probes of all such clients may hold together
     * @param tokenExpiryMargin a fetched token is reused until this long before its {@code expires_in}
     * @param retention a UTC day of history (events, deliveries, attempts) whose end is older than this, with no
     *     delivery of it pending, is dropped as partitions
     * @param purgeInterval how often the partitions of the days ahead are made and expired days dropped
     * @param shutdownGrace how long shutdown waits for attempts in flight before releasing them
     * @param databaseConnections the dispatcher's own database connections (claims, outcomes, lease renewals),
     *     beside the application's pool, so that requests holding all of those cannot stall deliveries
     */
    public record Delivery(
            @DefaultValue("true") boolean enabled,

            @DefaultValue({"5s", "30s", "2m", "10m", "30m", "1h", "2h", "4h", "8h", "8h"}) @NotEmpty
            List<Duration> retryDelays,

            @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("1.0")
            double jitter,

            @DefaultValue("1h") Duration retryAfterCap,
            @DefaultValue("30s") Duration lease,
            @DefaultValue("5s") Duration heartbeatInterval,
            @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("100") @Min(1) int claimBatchSize,
            @DefaultValue("1000") @Min(1) int maxInFlight,
            @DefaultValue("8") @Min(1) int maxInFlightPerClient,
            @DefaultValue("3") @Min(1) int tripAfter,
            @DefaultValue("1s") Duration slowAfter,

            @DefaultValue("0.1") @DecimalMin("0.0") @DecimalMax("1.0")
            double probeShare,

            @DefaultValue("30s") Duration tokenExpiryMargin,
            @DefaultValue("30d") Duration retention,
            @DefaultValue("1h") Duration purgeInterval,
            @DefaultValue("20s") Duration shutdownGrace,
            @DefaultValue("4") @Min(1) int databaseConnections) {}

    /**
     * @param rotationOverlap how long a signing secret replaced by a rotation keeps signing beside the new one, so
     *     receivers can switch to the new secret at their own pace
     * @param asymmetric whether attempts carry Ed25519 signatures ({@code v1a}) beside the HMAC ones ({@code v1});
     *     they cost about 60 us of CPU per signing key per attempt, the HMAC ones about 5
     */
    public record Signing(
            @DefaultValue("24h") Duration rotationOverlap,
            @DefaultValue("true") boolean asymmetric) {

        public Signing {
            if (rotationOverlap.isNegative()) {
                throw new IllegalArgumentException("webhooks.signing.rotation-overlap must not be negative");
            }
        }
    }

    /**
     * When a webhook's endpoint is disabled (its deliveries held until the client enables it again).
     *
     * @param disableAfter an endpoint with no successful attempt for this long is disabled (as Svix: 5 days)...
     * @param disableMinFailures ...once at least this many attempts failed in that time; a 410 Gone disables at once
     */
    public record Endpoint(
            @DefaultValue("5d") Duration disableAfter,
            @DefaultValue("5") @Min(1) int disableMinFailures) {

        /** The defaults, for code made without Spring. */
        public static final Endpoint DEFAULTS = new Endpoint(Duration.ofDays(5), 5);

        public Endpoint {
            if (disableAfter.isNegative() || disableAfter.isZero()) {
                throw new IllegalArgumentException("webhooks.endpoint.disable-after must be positive");
            }
        }
    }

    /**
     * Operators are told when an endpoint is disabled or enabled.
     *
     * @param notifyUrl receives a signed POST per state change (optional); it goes through the guarded outbound
     *     client like every call out
     * @param signingSecret {@code whsec_} and base64: the notification's Standard Webhooks signing key
     * @param notifyAttempts how many times a notification is tried before it is dropped (logged)
     */
    public record Operator(
            String notifyUrl,
            String signingSecret,
            @DefaultValue("3") @Min(1) int notifyAttempts) {}
}
