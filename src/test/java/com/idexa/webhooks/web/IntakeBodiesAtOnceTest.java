package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.RawHttp;
import com.idexa.webhooks.support.TestHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Intake's bodies held at once are bounded ({@code webhooks.api.intake-bodies-at-once}): beyond the bound a request
 * is refused with 503 and {@code Retry-After}, before its body is read, instead of the heap running out under many
 * large documents at once (a hostile test at {@code -Xmx256m}: hundreds of 1–5 MB documents gave
 * OutOfMemoryError and 500s). Each case holds a body half sent on a socket of its own, so the bound is full for
 * as long as the test wants it to be.
 */
@TestPropertySource(properties = "webhooks.api.intake-bodies-at-once=64KB")
class IntakeBodiesAtOnceTest extends IntegrationTest {

    private static final int HELD = 50_000;

    @Autowired
    private MeterRegistry meters;

    @Test
    void aBodyThatDoesNotFitBesideTheHeldOnesIsRefusedWith503UntilTheyAreAnswered() throws Exception {
        ClientService.IssuedKey client = newClient();
        double refusedBefore = refused();
        try (HalfSent held = HalfSent.open(port, event(client, "held", HELD))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> bodyBytesHeld() == HELD);

            TestHttp.Response declared =
                    http().bearer(INTERNAL_TOKEN).post("/internal/document_events", event(client, "declared", 20_000));
            RawHttp.Response chunked = new RawHttp(port).send(chunked(event(client, "chunked", 20_000)));
            TestHttp.Response pathParameter = http().bearer(INTERNAL_TOKEN)
                    .post("/internal;v=1/document_events", event(client, "declared", 20_000));

            assertThat(declared.status()).as(declared.body()).isEqualTo(503);
            assertThat(declared.contentType()).isEqualTo("application/problem+json");
            assertThat(declared.header("Retry-After")).isEqualTo("1");
            assertThat(declared.json().get("title").asString()).isEqualTo("Too many request bodies at once");
            assertThat(chunked.status()).as(chunked.body()).isEqualTo(503);
            assertThat(chunked.headers()).containsEntry("retry-after", "1");
            assertThat(chunked.body()).contains("Too many request bodies at once");
            assertThat(pathParameter.status())
                    .as("a path parameter does not take a body out of intake's count")
                    .isEqualTo(503);
            assertThat(refused() - refusedBefore).isEqualTo(3);

            assertThat(held.finish()).startsWith("HTTP/1.1 202");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> bodyBytesHeld() == 0);
        TestHttp.Response retried =
                http().bearer(INTERNAL_TOKEN).post("/internal/document_events", event(client, "declared", 20_000));
        assertThat(retried.status()).as(retried.body()).isEqualTo(202);
        assertThat(new RawHttp(port)
                        .send(chunked(event(client, "chunked", 20_000)))
                        .status())
                .isEqualTo(202);
    }

    @Test
    void aBodyWithoutIntakesTokenHoldsNoneOfItsBound() throws Exception {
        ClientService.IssuedKey client = newClient();
        try (HalfSent keyless = HalfSent.open(port, event(client, "keyless", HELD), "wrong-token")) {
            TestHttp.Response accepted =
                    http().bearer(INTERNAL_TOKEN).post("/internal/document_events", event(client, "beside", 20_000));

            assertThat(accepted.status())
                    .as("a real event beside a keyless sender's half-sent body")
                    .isEqualTo(202);
            assertThat(bodyBytesHeld()).isZero();
            assertThat(keyless.finish()).startsWith("HTTP/1.1 401");
        }
    }

    @Test
    void aBodyLargerThanTheWholeBoundIsAcceptedWhenItIsAlone() {
        ClientService.IssuedKey client = newClient();

        TestHttp.Response large =
                http().bearer(INTERNAL_TOKEN).post("/internal/document_events", event(client, "large", 200_000));

        assertThat(large.status()).as(large.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> bodyBytesHeld() == 0);
    }

    private double bodyBytesHeld() {
        return meters.get("webhook.intake.body").gauge().value();
    }

    private double refused() {
        return meters.get("webhook.intake.refused.busy").counter().count();
    }

    /** An intake event of exactly {@code size} bytes (its document padded). */
    private static String event(ClientService.IssuedKey client, String eventId, int size) {
        String head = "{\"clientId\": \"" + client.clientId() + "\", \"eventId\": \"" + eventId
                + "\", \"type\": 0, \"document\": {\"id\": \"" + eventId + "\", \"pad\": \"";
        String tail = "\"}}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }

    private static byte[] chunked(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String request = "POST /internal/document_events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + INTERNAL_TOKEN + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + Integer.toHexString(bytes.length) + "\r\n" + body + "\r\n0\r\n\r\n";
        return request.getBytes(StandardCharsets.UTF_8);
    }

    /** A request whose headers and first kilobyte are sent; the rest when the test says. */
    private record HalfSent(Socket socket, byte[] body) implements AutoCloseable {

        static HalfSent open(int port, String body) throws IOException {
            return open(port, body, INTERNAL_TOKEN);
        }

        static HalfSent open(int port, String body, String token) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /internal/document_events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                            + token + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, 0, 1000);
            out.flush();
            return new HalfSent(socket, bytes);
        }

        /** Sends the rest and returns the answer. */
        String finish() throws IOException {
            socket.getOutputStream().write(body, 1000, body.length - 1000);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
