package com.idexa.webhooks.endpoint;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.delivery.EndpointState;
import com.idexa.webhooks.delivery.EndpointStateChanged;
import com.idexa.webhooks.outbound.OutboundFailure;
import com.idexa.webhooks.outbound.OutboundHttpClient;
import com.idexa.webhooks.outbound.OutboundRequest;
import com.idexa.webhooks.outbound.OutboundResponse;
import com.idexa.webhooks.signing.SigningKey;
import com.idexa.webhooks.signing.WebhookSignatures;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * POSTs each endpoint state change to {@code webhooks.operator.notify-url}, when set, through the guarded outbound
 * client (the network policy applies to it as to any client URL), signed as Standard Webhooks describe with {@code
 * webhooks.operator.signing-secret}. It never holds up what it reports: the change is stored first, the
 * notification is sent from a thread of its own, tried {@code notify-attempts} times (1 s, 2 s, 4 s ... apart) and
 * then dropped with a WARN line. At most {@value #MAX_WAITING} wait; past that new ones are dropped (logged).
 */
@Component
class OperatorNotifier implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OperatorNotifier.class);
    static final int MAX_WAITING = 1000;
    private static final int MAX_ANSWER_BYTES = 1024;

    private final OutboundHttpClient http;
    private final JsonMapper json;
    private final Clock clock;
    private final URI notifyUrl;
    /** The operators' key; {@code null} when no signing secret is set (notifications go unsigned). */
    private final List<SigningKey> signingKey;

    private final int attempts;
    private final ScheduledThreadPoolExecutor sending;

    OperatorNotifier(OutboundHttpClient http, JsonMapper json, Clock clock, WebhooksProperties properties) {
        WebhooksProperties.Operator operator = properties.operator();
        this.http = http;
        this.json = json;
        this.clock = clock;
        this.notifyUrl = operator.notifyUrl() == null || operator.notifyUrl().isBlank()
                ? null
                : notifyUrl(operator.notifyUrl().trim());
        this.signingKey =
                operator.signingSecret() == null || operator.signingSecret().isBlank()
                        ? null
                        : List.of(signingKey(operator.signingSecret().trim()));
        if (this.notifyUrl != null && this.signingKey == null) {
            throw new IllegalArgumentException("webhooks.operator.notify-url is set without "
                    + "webhooks.operator.signing-secret: operator notifications are always signed; set a secret "
                    + "(whsec_ + base64 of 24 to 64 random bytes)");
        }
        this.attempts = operator.notifyAttempts();
        this.sending = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("operator-notify", true));
        this.sending.setRemoveOnCancelPolicy(true);
    }

    void notifyOperator(EndpointStateChanged change) {
        if (notifyUrl == null) {
            return;
        }
        if (sending.getQueue().size() >= MAX_WAITING) {
            log.warn("Operator notification for webhook {} dropped: {} are waiting", change.webhookId(), MAX_WAITING);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", change.state() == EndpointState.DISABLED ? "endpoint.disabled" : "endpoint.enabled");
        body.put("clientId", change.clientId());
        body.put("webhookId", change.webhookId());
        body.put("reason", change.reason());
        body.put("at", change.at());
        byte[] payload = json.writeValueAsBytes(body);
        String messageId = "msg_" + UUID.randomUUID(); // the same on every try, as Standard Webhooks ask
        sending.execute(() -> send(change, messageId, payload, 1));
    }

    private void send(EndpointStateChanged change, String messageId, byte[] payload, int attempt) {
        String failure;
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            Instant now = clock.instant();
            String signature =
                    WebhookSignatures.header(messageId, now.getEpochSecond(), payload, signingKey, now, false);
            if (signature != null) {
                headers.put("webhook-id", messageId);
                headers.put("webhook-timestamp", Long.toString(now.getEpochSecond()));
                headers.put(WebhookSignatures.HEADER, signature);
            }
            OutboundResponse answer =
                    http.send(new OutboundRequest("POST", notifyUrl, headers, payload), MAX_ANSWER_BYTES);
            if (answer.isSuccess()) {
                return;
            }
            failure = "HTTP " + answer.status();
        } catch (OutboundFailure e) {
            failure = e.kind().tag();
        } catch (RuntimeException e) {
            failure = e.getClass().getSimpleName();
        }
        if (attempt >= attempts || sending.isShutdown()) {
            log.warn(
                    "Operator notification for webhook {} dropped after {} attempts ({})",
                    change.webhookId(),
                    attempt,
                    failure);
            return;
        }
        long delay = Duration.ofSeconds(1).toMillis() << Math.min(attempt - 1, 6);
        sending.schedule(() -> send(change, messageId, payload, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    /** Refuses to start with a URL that could never be sent to; the URL itself is not echoed (it may hold a token). */
    private static URI notifyUrl(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalStateException("webhooks.operator.notify-url must be an absolute http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("webhooks.operator.notify-url is not a valid URL");
        }
    }

    private static SigningKey signingKey(String secret) {
        try {
            return SigningKey.fromSecretText(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("webhooks.operator.signing-secret " + e.getMessage());
        }
    }

    @Override
    public void destroy() {
        sending.shutdownNow();
    }
}
