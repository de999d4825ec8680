package com.idexa.webhooks.delivery;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.outbound.Abort;
import com.idexa.webhooks.outbound.OutboundFailure;
import com.idexa.webhooks.outbound.OutboundHttpClient;
import com.idexa.webhooks.outbound.OutboundRequest;
import com.idexa.webhooks.outbound.OutboundResponse;
import com.idexa.webhooks.outbound.TokenEndpoint;
import com.idexa.webhooks.outbound.TokenFetchFailed;
import com.idexa.webhooks.outbound.TokenProvider;
import com.idexa.webhooks.signing.WebhookSignatures;
import com.idexa.webhooks.webhook.Webhook;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/**
 * Makes one attempt of a delivery against the client's webhook as configured now: substitutes {@code :id},
 * adds the service's headers (Standard Webhooks: {@code webhook-id}, {@code webhook-timestamp} and the
 * {@code webhook-signature} over the exact bytes sent) and the client's authorization (fixed, or a token fetched
 * from its auth URL, and fetched again once if the endpoint answers 401), and sends the document.
 */
@Component
class DeliverySender {

    static final String USER_AGENT_PRODUCT = "document-webhooks";
    private static final byte[] NO_BODY = new byte[0];

    private final OutboundHttpClient http;
    private final TokenProvider tokens;
    private final int maxResponseBody;
    private final boolean asymmetricSignatures;
    private final String userAgent;

    DeliverySender(
            OutboundHttpClient http,
            TokenProvider tokens,
            WebhooksProperties properties,
            ObjectProvider<BuildProperties> build) {
        this.http = http;
        this.tokens = tokens;
        this.maxResponseBody = (int) properties.outbound().maxResponseBody().toBytes();
        this.asymmetricSignatures = properties.signing().asymmetric();
        BuildProperties info = build.getIfAvailable();
        String version = info != null
                ? info.getVersion()
                : DeliverySender.class.getPackage().getImplementationVersion();
        this.userAgent = USER_AGENT_PRODUCT + "/" + (version == null ? "dev" : version);
    }

    /**
     * Makes the attempt without a thread waiting on it.
     *
     * @param abort lets the dispatcher close the exchange from another thread (shutdown, a lease in doubt)
     * @param executor where each step after an exchange runs (a token fetched, the 401 answered): never the HTTP
     *     client's reactor threads, since a step may resolve a host name
     * @return the attempt's record; it never fails for an endpoint's reasons, only for ours (an internal error)
     */
    CompletableFuture<AttemptRecord> attempt(
            ClaimedDelivery delivery, Webhook webhook, Abort abort, Executor executor) {
        OffsetDateTime attemptedAt = delivery.now().truncatedTo(ChronoUnit.MICROS);
        long started = System.nanoTime();
        String url = webhook.url().replace(":id", PathSegments.encode(delivery.documentId()));
        TokenEndpoint tokenEndpoint = tokenEndpoint(webhook);
        Function<String, CompletableFuture<OutboundResponse>> sendWith = token -> http.sendAsync(
                request(delivery, webhook, url, authorization(webhook, token), attemptedAt), maxResponseBody, abort);
        CompletableFuture<OutboundResponse> answer;
        if (tokenEndpoint == null) {
            answer = sendWith.apply(null);
        } else {
            answer = tokens.tokenAsync(tokenEndpoint)
                    .thenComposeAsync(
                            token -> sendWith.apply(token)
                                    .thenComposeAsync(
                                            response -> {
                                                if (response.status() != 401) {
                                                    return CompletableFuture.completedFuture(response);
                                                }
                                                tokens.invalidate(tokenEndpoint, token);
                                                return tokens.tokenAsync(tokenEndpoint)
                                                        .thenComposeAsync(sendWith, executor);
                                            },
                                            executor),
                            executor);
        }
        return answer.handle((response, failure) -> {
            long took = elapsedMillis(started);
            if (failure == null) {
                return answered(attemptedAt, took, webhook.method(), url, response);
            }
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof TokenFetchFailed e) {
                return AttemptRecord.unanswered(
                        attemptedAt, took, webhook.method(), url, e.getMessage(), "token_failed");
            }
            if (cause instanceof OutboundFailure e) {
                return AttemptRecord.unanswered(
                        attemptedAt,
                        took,
                        webhook.method(),
                        url,
                        e.getMessage(),
                        e.kind().tag());
            }
            throw failure instanceof CompletionException completion ? completion : new CompletionException(cause);
        });
    }

    private static String authorization(Webhook webhook, String token) {
        return token == null ? webhook.secrets().authorization() : withScheme(webhook, token);
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private OutboundRequest request(
            ClaimedDelivery delivery, Webhook webhook, String url, String authorization, OffsetDateTime attemptedAt) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (webhook.secrets().headers() != null) {
            headers.putAll(webhook.secrets().headers());
        }
        byte[] body = null;
        if ("POST".equals(webhook.method()) || "PUT".equals(webhook.method())) {
            body = delivery.document().getBytes(StandardCharsets.UTF_8);
            putIfNoHeader(headers, "Content-Type", "application/json");
        }
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        putIfNoHeader(headers, "User-Agent", userAgent);
        String messageId = delivery.id().toString();
        OffsetDateTime sentAt = delivery.now(); // this request's own time: a 401's second request has a later one
        headers.put("webhook-id", messageId);
        headers.put("webhook-timestamp", Long.toString(sentAt.toEpochSecond()));
        String signature = WebhookSignatures.header(
                messageId,
                sentAt.toEpochSecond(),
                body == null ? NO_BODY : body,
                webhook.secrets().signingKeys(),
                sentAt.toInstant(),
                asymmetricSignatures);
        if (signature != null) {
            headers.put(WebhookSignatures.HEADER, signature);
        }
        return new OutboundRequest(webhook.method(), URI.create(url), headers, body);
    }

    private AttemptRecord answered(
            OffsetDateTime attemptedAt, long durationMillis, String method, String url, OutboundResponse response) {
        int status = response.status();
        String error = null;
        if (status >= 300 && status < 400) {
            error = "HTTP " + status + ": redirects are not followed";
        } else if (status == 410) {
            error = "HTTP 410: the endpoint is gone; not retried";
        } else if (!response.isSuccess()) {
            error = "HTTP " + status;
        }
        // PostgreSQL text cannot hold NUL; a binary answer must not make its outcome unrecordable.
        String body = response.bodyText().replace('\u0000', '\uFFFD') + (response.truncated() ? "…[truncated]" : "");
        return new AttemptRecord(
                attemptedAt,
                durationMillis,
                method,
                url,
                status,
                error,
                body,
                response.retryAfter(),
                (status / 100) + "xx");
    }

    private static TokenEndpoint tokenEndpoint(Webhook webhook) {
        if (webhook.authorizationUrl() == null) {
            return null;
        }
        return new TokenEndpoint(
                new TokenCacheKey(webhook.id(), webhook.revision()),
                webhook.authorizationUrl(),
                webhook.authorizationMethod(),
                webhook.secrets().authorizationHeaders(),
                webhook.secrets().authorizationBody(),
                webhook.authorizationResponseTokenAttr());
    }

    /**
     * A fetched token belongs to one configuration of one webhook: a replaced webhook (a new revision) fetches
     * its own, from its new token endpoint and credentials. A rotation of the signing secret is a new revision
     * too, and costs one fetch.
     */
    private record TokenCacheKey(UUID webhookId, int revision) {}

    private static String withScheme(Webhook webhook, String token) {
        String scheme = webhook.headerAuth();
        return scheme == null || scheme.isBlank() ? token : scheme + " " + token;
    }

    private static void putIfNoHeader(Map<String, String> headers, String name, String value) {
        if (headers.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
            headers.put(name, value);
        }
    }
}
