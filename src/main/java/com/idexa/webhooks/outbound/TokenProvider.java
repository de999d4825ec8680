package com.idexa.webhooks.outbound;

import com.idexa.webhooks.config.WebhooksProperties;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fetches a webhook's token from the client's own auth URL, as the Idexa documentation describes: the body is
 * form-encoded when the auth headers say {@code application/x-www-form-urlencoded}, JSON otherwise; the token is
 * read at a dotted path of the JSON answer.
 *
 * <p>A token is cached only as long as the answer's {@code expires_in} allows, less a safety margin; without
 * {@code expires_in} it is not cached at all. Concurrent deliveries of one webhook share one fetch.
 */
@Component
public class TokenProvider {

    private static final int MAX_TOKEN_RESPONSE = 64 * 1024;

    private record CachedToken(String value, Instant expiresAt) {}

    private final OutboundHttpClient http;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration expiryMargin;
    private final Map<Object, CachedToken> cache = new ConcurrentHashMap<>();
    /** Striped locks: concurrent deliveries of one webhook share one fetch, and the set never grows. */
    private final Object[] fetchLocks = new Object[64];

    public TokenProvider(OutboundHttpClient http, JsonMapper json, Clock clock, WebhooksProperties properties) {
        this.http = http;
        this.json = json;
        this.clock = clock;
        this.expiryMargin = properties.delivery().tokenExpiryMargin();
        Arrays.setAll(fetchLocks, i -> new Object());
    }

    /** A token for the endpoint: the cached one while it is fresh, a newly fetched one otherwise. */
    public String token(TokenEndpoint endpoint) throws TokenFetchFailed {
        CachedToken cached = fresh(endpoint.cacheKey());
        if (cached != null) {
            return cached.value();
        }
        Object lock = fetchLocks[Math.floorMod(endpoint.cacheKey().hashCode(), fetchLocks.length)];
        synchronized (lock) {
            cached = fresh(endpoint.cacheKey());
            return cached != null ? cached.value() : fetch(endpoint);
        }
    }

    /** Forgets the cached token, after the target refused it. */
    public void invalidate(TokenEndpoint endpoint) {
        cache.remove(endpoint.cacheKey());
    }

    private CachedToken fresh(Object key) {
        CachedToken cached = cache.get(key);
        return cached != null && clock.instant().isBefore(cached.expiresAt()) ? cached : null;
    }

    private String fetch(TokenEndpoint endpoint) throws TokenFetchFailed {
        OutboundResponse response;
        try {
            response = http.send(request(endpoint), MAX_TOKEN_RESPONSE);
        } catch (OutboundFailure e) {
            throw new TokenFetchFailed("token endpoint " + e.getMessage(), e.durationMillis());
        }
        long took = response.durationMillis();
        if (!response.isSuccess()) {
            throw new TokenFetchFailed("token endpoint answered HTTP " + response.status(), took);
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
        String value = token.asString();
        Duration lifetime = expiresIn(holder, answer);
        if (lifetime != null && lifetime.compareTo(expiryMargin) > 0) {
            cache.put(
                    endpoint.cacheKey(), new CachedToken(value, clock.instant().plus(lifetime.minus(expiryMargin))));
            pruneExpired();
        }
        return value;
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

    /** {@code expires_in} beside the token, or at the top of the answer; seconds, as OAuth 2 writes it. */
    private static Duration expiresIn(JsonNode holder, JsonNode answer) {
        for (JsonNode node : new JsonNode[] {holder, answer}) {
            JsonNode expires = node == null ? null : node.get("expires_in");
            if (expires != null && expires.isNumber()) {
                return Duration.ofSeconds(expires.asLong());
            }
            if (expires != null && expires.isString() && expires.asString().matches("\\d{1,9}")) {
                return Duration.ofSeconds(Long.parseLong(expires.asString()));
            }
        }
        return null;
    }

    private void pruneExpired() {
        if (cache.size() > 10_000) {
            Instant now = clock.instant();
            cache.entrySet().removeIf(entry -> !now.isBefore(entry.getValue().expiresAt()));
        }
    }
}
