package com.idexa.webhooks.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import com.idexa.webhooks.support.TricklingReceiver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guarded client against a real server on loopback: what the network policy stops, it stops before connecting. */
class OutboundHttpClientTest {

    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void stop() {
        receiver.close();
    }

    private static OutboundHttpClient client(NetworkPolicy policy, Duration requestTimeout) {
        return new OutboundHttpClient(policy, Duration.ofSeconds(1), requestTimeout, 10);
    }

    private static OutboundRequest get(String url) {
        return new OutboundRequest("GET", URI.create(url), Map.of(), null);
    }

    @Test
    void reachesLoopbackWhenPrivateNetworksAreAllowed() throws Exception {
        try (var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(2))) {
            assertThat(open.send(get(receiver.url("/x")), 1024).status()).isEqualTo(200);
        }
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void blocksIpLiteralsAtConnectTime() throws Exception {
        try (var strict = client(new NetworkPolicy(false, HostResolver.SYSTEM), Duration.ofSeconds(2))) {
            for (String host : new String[] {"127.0.0.1", "[::ffff:127.0.0.1]", "localhost"}) {
                assertThatThrownBy(() -> strict.send(get("http://" + host + ":" + receiver.port() + "/x"), 1024))
                        .isInstanceOfSatisfying(
                                OutboundFailure.class,
                                failure -> assertThat(failure.kind()).isEqualTo(OutboundFailure.Kind.BLOCKED))
                        .hasMessageContaining("blocked by the network policy");
            }
        }
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void blocksANameThatRebindsToLoopbackAfterPassingRegistration() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding = host -> lookups.getAndIncrement() == 0
                ? new InetAddress[] {InetAddress.getByName("93.184.216.34")}
                : new InetAddress[] {InetAddress.getLoopbackAddress()};
        NetworkPolicy policy = new NetworkPolicy(false, rebinding);
        policy.resolveAllowed("rebind.test"); // what registration saw: a public address

        try (var strict = client(policy, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> strict.send(get("http://rebind.test:" + receiver.port() + "/x"), 1024))
                    .isInstanceOfSatisfying(
                            OutboundFailure.class,
                            failure -> assertThat(failure.kind()).isEqualTo(OutboundFailure.Kind.BLOCKED));
        }
        assertThat(receiver.received()).isEmpty();
        assertThat(lookups.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void givesUpAtTheRequestDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        receiver.replies(Reply.hangUntil(release));
        try (var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> open.send(get(receiver.url("/slow")), 1024))
                    .isInstanceOfSatisfying(
                            OutboundFailure.class,
                            failure -> assertThat(failure.kind()).isEqualTo(OutboundFailure.Kind.TIMEOUT));
        } finally {
            release.countDown();
        }
    }

    @Test
    void reportsARefusedConnection() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> open.send(get("http://127.0.0.1:" + closedPort + "/"), 1024))
                    .isInstanceOfSatisfying(
                            OutboundFailure.class,
                            failure -> assertThat(failure.kind()).isEqualTo(OutboundFailure.Kind.CONNECTION))
                    .hasMessage("connection refused");
        }
    }

    @Test
    void readsOnlyTheConfiguredPartOfTheBody() throws Exception {
        receiver.replies(Reply.json(200, "x".repeat(10_000)));
        try (var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(2))) {
            OutboundResponse response = open.send(get(receiver.url("/big")), 4096);

            assertThat(response.body()).hasSize(4096);
            assertThat(response.truncated()).isTrue();
        }
    }

    @Test
    void aSuccessFollowedByAnEndlessBodyIsAnsweredAtOnceAndItsConnectionClosed() throws Exception {
        try (var endless = TricklingReceiver.endless(8192, 1024, Duration.ofMillis(50));
                var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(10))) {
            long started = System.nanoTime();
            OutboundResponse response = open.send(get(endless.url("/endless")), 4096);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).hasSize(4096);
            assertThat(response.truncated()).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> endless.connectionsClosedByClient() == 1);
        }
    }

    @Test
    void anEndlessHeadIsRefusedAfterItsLimitNotReadIntoMemory() throws Exception {
        try (var flood = TricklingReceiver.endlessHeaders();
                var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> open.send(get(flood.url("/headers")), 4096))
                    .isInstanceOf(OutboundFailure.class)
                    .hasMessageStartingWith("the answer's headers are too large");

            await().atMost(Duration.ofSeconds(3)).until(() -> flood.connectionsClosedByClient() == 1);
            assertThat(flood.bodyBytesWritten()).isLessThan(16L * 1024 * 1024);
        }
    }

    @Test
    void aSuccessWhoseBodyTricklesIsAnsweredWithinTheBodyWindow() throws Exception {
        try (var trickle = TricklingReceiver.endless(10, 1, Duration.ofMillis(200));
                var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(10))) {
            long started = System.nanoTime();
            OutboundResponse response = open.send(get(trickle.url("/trickle")), 4096);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).startsWith("x".repeat(10));
            assertThat(response.truncated()).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> trickle.connectionsClosedByClient() == 1);
        }
    }

    @Test
    void neverDownloadsMoreThanItKeepsOfAHugeBody() throws Exception {
        long twoHundredMegabytes = 200L * 1024 * 1024;
        try (var huge = TricklingReceiver.huge(twoHundredMegabytes);
                var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(10))) {
            OutboundResponse response = open.send(get(huge.url("/huge")), 4096);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.truncated()).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> huge.connectionsClosedByClient() == 1);
            assertThat(huge.bodyBytesWritten())
                    .as("only what fits in the socket buffers was written")
                    .isLessThan(32L * 1024 * 1024);
        }
    }

    @Test
    void aShortBodyIsReadWholeAndNotMarkedTruncated() throws Exception {
        receiver.replies(Reply.json(200, "{\"ok\": true}"), Reply.json(200, "{\"ok\": true}"));
        try (var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(2))) {
            OutboundResponse first = open.send(get(receiver.url("/a")), 4096);
            OutboundResponse second = open.send(get(receiver.url("/b")), 4096);

            assertThat(first.bodyText()).isEqualTo("{\"ok\": true}");
            assertThat(first.truncated()).isFalse();
            assertThat(second.truncated()).isFalse();
        }
    }

    @Test
    void aUrlWithAnImpossiblePortIsAFailureThatSaysSo() throws Exception {
        try (var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> open.send(get("http://127.0.0.1:99999/cb/1"), 1024))
                    .isInstanceOf(OutboundFailure.class)
                    .hasMessage("URL port 99999 is outside 1-65535");
        }
    }

    @Test
    void neverFollowsRedirects() throws Exception {
        receiver.replies(Reply.withHeader(307, "Location", receiver.url("/target")));
        try (var open = client(new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(2))) {
            assertThat(open.send(get(receiver.url("/start")), 1024).status()).isEqualTo(307);
        }
        assertThat(receiver.received("/target")).isEmpty();
    }
}
