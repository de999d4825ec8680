package com.idexa.webhooks.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import com.idexa.webhooks.support.TricklingReceiver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.json.JsonMapper;

/** The token fetch against a real token endpoint on loopback, with a clock the test moves. */
class TokenProviderTest {

    private final TestReceiver endpoint = TestReceiver.start();
    private final MovableClock clock = new MovableClock(Instant.parse("2025-03-01T10:00:00Z"));
    private final OutboundHttpClient http = new OutboundHttpClient(
            new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(1), Duration.ofSeconds(10), 50);
    private final TokenProvider tokens =
            new TokenProvider(http, JsonMapper.builder().build(), clock, defaults());

    @AfterEach
    void stop() throws Exception {
        endpoint.close();
        http.close();
    }

    /** Every {@code webhooks.*} default: a 30 s expiry margin. */
    private static WebhooksProperties defaults() {
        return new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("webhooks", WebhooksProperties.class);
    }

    private TokenEndpoint at(Object webhook, String url) {
        return new TokenEndpoint(webhook, url, "POST", Map.of(), null, "access_token");
    }

    private TokenEndpoint at(Object webhook) {
        return at(webhook, endpoint.url("/token"));
    }

    private void answers(String json) {
        endpoint.byDefault(request -> Reply.json(200, json));
    }

    @Test
    void reusesATokenUntilItsExpiresInLessTheMargin() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        endpoint.byDefault(request ->
                Reply.json(200, "{\"access_token\": \"t" + issued.incrementAndGet() + "\", \"expires_in\": 3600}"));

        assertThat(tokens.token(at("w"))).isEqualTo("t1");
        clock.advance(Duration.ofSeconds(3600 - 30 - 1));
        assertThat(tokens.token(at("w"))).isEqualTo("t1");
        clock.advance(Duration.ofSeconds(2));
        assertThat(tokens.token(at("w"))).isEqualTo("t2");
        assertThat(endpoint.received()).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999", "1e400", "\"99999999999999999999\"", "86400000"})
    void clampsAnEnormousExpiresInToADay(String expiresIn) throws Exception {
        answers("{\"access_token\": \"t\", \"expires_in\": " + expiresIn + "}");

        assertThat(tokens.token(at("w"))).isEqualTo("t");
        clock.advance(Duration.ofHours(23));
        tokens.token(at("w"));
        assertThat(endpoint.received()).as("cached within a day").hasSize(1);

        clock.advance(Duration.ofHours(1));
        tokens.token(at("w"));
        assertThat(endpoint.received()).as("never longer than a day").hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "0", "\"soon\"", "\"-60\"", "true", "{\"s\": 60}", "null", "-1e400"})
    void doesNotCacheATokenWhoseExpiresInIsNoLifetime(String expiresIn) throws Exception {
        answers("{\"access_token\": \"t\", \"expires_in\": " + expiresIn + "}");

        assertThat(tokens.token(at("w"))).isEqualTo("t");
        assertThat(tokens.token(at("w"))).isEqualTo("t");
        assertThat(endpoint.received()).hasSize(2);
    }

    @Test
    void anAnswerLargerThan64KiBIsAClearFailure() {
        answers("{\"access_token\": \"t\", \"padding\": \"" + "p".repeat(70 * 1024) + "\"}");

        assertThatThrownBy(() -> tokens.token(at("w")))
                .isInstanceOf(TokenFetchFailed.class)
                .hasMessage("token fetch failed: token endpoint answer is larger than 64 KiB");
    }

    @Test
    void anEndlessAnswerFailsAtOnceAndItsConnectionIsClosed() {
        try (var endless = TricklingReceiver.endlessJson(70 * 1024, 1024, Duration.ofMillis(50))) {
            long started = System.nanoTime();

            assertThatThrownBy(() -> tokens.token(at("w", endless.url("/token"))))
                    .isInstanceOf(TokenFetchFailed.class)
                    .hasMessage("token fetch failed: token endpoint answer is larger than 64 KiB");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(3)).until(() -> endless.connectionsClosedByClient() == 1);
        }
    }

    @Test
    void aTokenUrlWithAnImpossiblePortIsATokenFetchFailure() {
        assertThatThrownBy(() -> tokens.token(at("w", "http://127.0.0.1:99999/token")))
                .isInstanceOf(TokenFetchFailed.class)
                .hasMessage("token fetch failed: token endpoint URL port 99999 is outside 1-65535");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"access_token\": ", "<html>", "[1, 2", "\u0000"})
    void malformedJsonIsATokenFetchFailure(String answer) {
        answers(answer);

        assertThatThrownBy(() -> tokens.token(at("w")))
                .isInstanceOf(TokenFetchFailed.class)
                .hasMessage("token fetch failed: token endpoint answer is not JSON");
    }

    @Test
    void aRefusalDropsTheTokenOnlyWhileItIsStillTheOneRefused() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        endpoint.byDefault(request ->
                Reply.json(200, "{\"access_token\": \"t" + issued.incrementAndGet() + "\", \"expires_in\": 600}"));
        String refused = tokens.token(at("w")); // two deliveries sent t1 and both got a 401

        tokens.invalidate(at("w"), refused); // the first refusal drops t1
        assertThat(tokens.token(at("w"))).isEqualTo("t2");
        tokens.invalidate(at("w"), refused); // the second, late, must not drop t2

        assertThat(tokens.token(at("w"))).isEqualTo("t2");
        assertThat(endpoint.received()).hasSize(2);
    }

    @Test
    void concurrentDeliveriesOfOneWebhookShareOneFetchWhileOtherWebhooksAreNotHeldUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        endpoint.byDefault(request -> request.path().equals("/hanging")
                ? new Reply(200, Map.of(), "{\"access_token\": \"slow\", \"expires_in\": 600}", release)
                : Reply.json(200, "{\"access_token\": \"quick\", \"expires_in\": 600}"));
        ExecutorService deliveries = Executors.newFixedThreadPool(8);
        ExecutorService otherWebhooks = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> waiting = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                waiting.add(deliveries.submit(() -> tokens.token(at(0, endpoint.url("/hanging")))));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> endpoint.received("/hanging").size() == 1);

            List<Future<String>> others = new ArrayList<>();
            for (int webhook = 1; webhook <= 128; webhook++) {
                TokenEndpoint other = at(webhook);
                others.add(otherWebhooks.submit(() -> tokens.token(other)));
            }
            for (Future<String> other : others) {
                assertThat(other.get(5, TimeUnit.SECONDS))
                        .as("another webhook's fetch is not held up")
                        .isEqualTo("quick");
            }

            release.countDown();
            for (Future<String> delivery : waiting) {
                assertThat(delivery.get(5, TimeUnit.SECONDS)).isEqualTo("slow");
            }
            assertThat(endpoint.received("/hanging")).as("one fetch in flight").hasSize(1);
        } finally {
            release.countDown();
            deliveries.shutdownNow();
            otherWebhooks.shutdownNow();
        }
    }

    /** A clock the test moves forward. */
    private static final class MovableClock extends Clock {

        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
