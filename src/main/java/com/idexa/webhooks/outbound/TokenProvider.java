package com.idexa.webhooks.outbound;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.idexa.webhooks.config.WebhooksProperties;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fetches a webhook's token from the client's own auth URL, as the Idexa documentation describes: the body is
 * form-encoded when the auth headers say {@code application/x-www-form-urlencoded}, JSON otherwise; the token is
 * read at a dotted path of the JSON answer, of at most 64 KiB.
 *
 * <p>A token is cached (Caffeine: bounded, each entry expiring on its own) as long as the answer's {@code
 * expires_in} allows, at most {@link #MAX_TOKEN_LIFETIME}, less a safety margin; without a positive number of
 * seconds in {@code expires_in} it is not cached at all. Concurrent deliveries of one webhook share one fetch in
 * flight; no lock and no thread is held across the fetch (it goes through the asynchronous client), so a hanging
 * token endpoint holds up only its own webhook.
 */
@Component
public class TokenProvider {

    private static final int MAX_TOKEN_RESPONSE = 64 * 1024;
    private static final int MAX_CACHED_TOKENS = 10_000;

    /** The longest a token is kept, whatever its {@code expires_in} says (a day: long enough, and no overflow). */
    static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(1);

    private static final Pattern SECONDS = Pattern.compile("\\d{1,30}(\\.\\d{1,9})?");

    /** A fetched token and how long it may be reused: zero when it may not be. */
    private record Token(String value, Duration reuseFor) {

        @Override
        public String toString() {
            return "Token[reuseFor=" + reuseFor + "]";
        }
    }

    private final OutboundHttpClient http;
    private final JsonMapper json;
    private final Duration expiryMargin;
    /** Fetches by webhook, done or in flight; a failed fetch leaves the cache at once. */
    private final AsyncCache<Object, Token> cache;

    public TokenProvider(OutboundHttpClient http, JsonMapper json, Clock clock, WebhooksProperties properties) {
        this.http = http;
        this.json = json;
        this.expiryMargin = properties.delivery().tokenExpiryMargin();
        this.cache = Caffeine.newBuilder()
                .maximumSize(MAX_CACHED_TOKENS)
                .expireAfter(Expiry.<Object, Token>writing((key, token) -> token.reuseFor()))
                .ticker(() -> {
                    Instant now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                })
                .executor(Runnable::run) // cache upkeep on the calling thread: nothing here blocks
                .buildAsync();
    }

    /**
     * A token for the endpoint: the cached one while it is fresh, else one fetch shared by every caller for this
     * webhook. Waits for it; see {@link #tokenAsync}.
     */
    public String token(TokenEndpoint endpoint) throws TokenFetchFailed {
        try {
            return tokenAsync(endpoint).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenFetchFailed("interrupted by shutdown", 0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TokenFetchFailed failed) {
                throw failed;
            }
            throw new TokenFetchFailed("token endpoint answer could not be used", 0);
        }
    }

    /**
     * A token for the endpoint, without a thread waiting for it: the cached one while it is fresh, else one fetch
     * shared by every caller for this webhook. The caller that starts the fetch resolves the token endpoint's host
     * on its own thread (call it off the HTTP client's reactor threads); the answer is read where the exchange
     * ends. The future fails with a {@link TokenFetchFailed}.
     */
    public CompletableFuture<String> tokenAsync(TokenEndpoint endpoint) {
        CompletableFuture<Token> mine = new CompletableFuture<>();
        CompletableFuture<Token> shared = cache.get(endpoint.cacheKey(), (key, executor) -> mine);
        if (shared != mine) {
            return shared.thenApply(Token::value);
        }
        // No lock is held here: the fetch starts outside the cache's map. The caller hears of it only once the
        // cache has taken the outcome in (a token it may not reuse is gone by then).
        return fetch(endpoint)
                .whenComplete((token, failure) -> {
                    if (failure == null) {
                        mine.complete(token);
                    } else { // callers waiting on this fetch fail with it; the entry is dropped
                        mine.completeExceptionally(
                                failure instanceof CompletionException ? failure.getCause() : failure);
                    }
                })
                .thenApply(Token::value);
    }

    /**
     * Forgets the cached token after the target refused it, only if it is still the one refused: a refusal that
     * arrives after a newer token was fetched leaves that newer token alone.
     */
    public void invalidate(TokenEndpoint endpoint, String refusedToken) {
        CompletableFuture<Token> current = cache.getIfPresent(endpoint.cacheKey());
        if (current != null
                && current.isDone()
                && !current.isCompletedExceptionally()
                && current.join().value().equals(refusedToken)) {
            cache.asMap().remove(endpoint.cacheKey(), current);
        }
    }

    private CompletableFuture<Token> fetch(TokenEndpoint endpoint) {
        OutboundRequest request;
        try {
            request = request(endpoint);
        } catch (RuntimeException e) { // building the request does no I/O: any failure is a setting it cannot take
            return CompletableFuture.failedFuture(
                    new TokenFetchFailed("token request could not be built from the webhook's settings", 0));
        }
        return http.sendForBodyAsync(request, MAX_TOKEN_RESPONSE).handle((response, failure) -> {
            try {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (cause instanceof OutboundFailure e) {
                        throw new TokenFetchFailed("token endpoint " + e.getMessage(), e.durationMillis());
                    }
                    throw new TokenFetchFailed("token endpoint answer could not be used", 0);
                }
                return tokenIn(endpoint, response);
            } catch (TokenFetchFailed e) {
                throw new CompletionException(e);
            }
        });
    }

    /** The token in the answer, read on the thread that ends the exchange: parsing at most 64 KiB, no I/O. */
    private Token tokenIn(TokenEndpoint endpoint, OutboundResponse response) throws TokenFetchFailed {
        long took = response.durationMillis();
        if (!response.isSuccess()) {
            throw new TokenFetchFailed("token endpoint answered HTTP " + response.status(), took);
        }
        if (response.truncated()) {
            throw new TokenFetchFailed(
                    response.body().length >= MAX_TOKEN_RESPONSE
                            ? "token endpoint answer is larger than 64 KiB"
                            : "token endpoint answer did not arrive whole",
                    took);
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (JacksonException e) {
            throw new TokenFetchFailed("token endpoint answer is not JSON", took);
        }
        JsonNode holder = answer;
        String[] path = endpoint.tokenAttr().split("\\.");
        for (int i = 0; i < path.length - 1 && holder != null; i++) {
            holder = holder.get(path[i]);
        }
        JsonNode token = holder == null ? null : holder.get(path[path.length - 1]);
        if (token == null
                || !(token.isString() || token.isNumber())
                || token.asString().isBlank()) {
            throw new TokenFetchFailed("token endpoint answer has no token at '" + endpoint.tokenAttr() + "'", took);
        }
        Duration lifetime = expiresIn(holder, answer);
        Duration reuseFor = lifetime == null || lifetime.compareTo(expiryMargin) <= 0
                ? Duration.ZERO
                : lifetime.minus(expiryMargin);
        return new Token(token.asString(), reuseFor);
    }

    private OutboundRequest request(TokenEndpoint endpoint) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (endpoint.headers() != null) {
            headers.putAll(endpoint.headers());
        }
        headers.putIfAbsent("Accept", "application/json");
        byte[] body = null;
        boolean sendsBody = !"GET".equals(endpoint.method());
        if (sendsBody && endpoint.body() != null) {
            String contentType = headers.entrySet().stream()
                    .filter(header -> header.getKey().equalsIgnoreCase("Content-Type"))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
            if (contentType != null
                    && contentType.toLowerCase(Locale.ROOT).contains("application/x-www-form-urlencoded")) {
                body = formEncode(endpoint.body()).getBytes(StandardCharsets.UTF_8);
            } else {
                body = json.writeValueAsBytes(endpoint.body());
                if (contentType == null) {
                    headers.put("Content-Type", "application/json");
                }
            }
        }
        return new OutboundRequest(endpoint.method(), URI.create(endpoint.url()), headers, body);
    }

    private String formEncode(ObjectNode body) {
        StringJoiner form = new StringJoiner("&");
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            JsonNode value = field.getValue();
            String text = value.isNull() ? "" : value.isValueNode() ? value.asString() : json.writeValueAsString(value);
            form.add(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(text, StandardCharsets.UTF_8));
        }
        return form.toString();
    }

    /**
     * {@code expires_in} beside the token, or at the top of the answer: seconds, as OAuth 2 writes it (a number,
     * or digits in a string), at most {@link #MAX_TOKEN_LIFETIME}. {@code null} when absent or not a positive
     * number.
     */
    private static Duration expiresIn(JsonNode holder, JsonNode answer) {
        for (JsonNode node : new JsonNode[] {holder, answer}) {
            JsonNode expires = node == null ? null : node.get("expires_in");
            if (expires == null) {
                continue;
            }
            double seconds = Double.NaN;
            if (expires.isNumber()) {
                seconds = expires.doubleValue();
            } else if (expires.isString() && SECONDS.matcher(expires.asString()).matches()) {
                seconds = Double.parseDouble(expires.asString());
            }
            if (!(seconds > 0)) {
                return null;
            }
            return seconds >= MAX_TOKEN_LIFETIME.toSeconds()
                    ? MAX_TOKEN_LIFETIME
                    : Duration.ofMillis((long) (seconds * 1000));
        }
        return null;
    }
}
