package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.RawHttp;
import com.idexa.webhooks.support.TestHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A body dripped a byte at a time is refused once {@code webhooks.api.body-read-timeout} has passed since the request
 * started (408), so a slow sender cannot hold a request thread for as long as it likes. A hostile test held all of
 * Tomcat's 200 threads with 300 slow bodies; each had been allowed a minute between two bytes, for ever.
 */
@TestPropertySource(properties = "webhooks.api.body-read-timeout=1s")
class SlowRequestBodiesTest extends IntegrationTest {

    @Test
    void anIntakeBodyDrippedSlowerThanTheTimeoutIsRefusedWith408() throws Exception {
        RawHttp.Response answer = dripped("/internal/document_events", "Authorization: Bearer " + INTERNAL_TOKEN);

        assertThat(answer.status()).as(answer.body()).isEqualTo(408);
        assertThat(answer.headers()).containsEntry("content-type", "application/problem+json");
        assertThat(answer.body()).contains("Request body too slow");
    }

    @Test
    void aClientApiBodyDrippedSlowerThanTheTimeoutIsRefusedWith408() throws Exception {
        ClientService.IssuedKey client = newClient();

        RawHttp.Response answer = dripped("/document_webhooks", "IDEXA-API-KEY: " + client.apiKey());

        assertThat(answer.status()).as(answer.body()).isEqualTo(408);
        assertThat(answer.body()).contains("Request body too slow");
    }

    /**
     * READ_FIRST: without any key. A 401 given before the body was read left Tomcat reading the rest at the sender's
     * pace (a hostile test froze the whole API with 210 such connections and no key). The body is read first, so
     * it is bounded by its deadline like any other.
     */
    @Test
    void aBodyWithAWrongTokenDrippedSlowerThanTheTimeoutIsRefusedAndItsConnectionClosed() throws Exception {
        RawHttp.Response answer = dripped("/internal/document_events", "Authorization: Bearer wrong-token");

        assertThat(answer.status()).as(answer.body()).isEqualTo(408);
    }

    @Test
    void aBodySentAtOnceIsUnaffected() {
        ClientService.IssuedKey client = newClient();

        TestHttp.Response accepted = http().bearer(INTERNAL_TOKEN)
                .post(
                        "/internal/document_events",
                        "{\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": {\"id\": \"d\"}}");

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    }

    /**
     * Sends the headers of a POST declaring a 1,000-byte body, then a byte every 100 ms until the service answers;
     * returns the answer once the service has closed the connection (the socket's timeout, 15 s, fails the test
     * when it keeps it open to read the rest at this pace: 90 s).
     */
    private RawHttp.Response dripped(String path, String header) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + header
                            + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            AtomicBoolean answered = new AtomicBoolean();
            CompletableFuture<Void> drip = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 150 && !answered.get(); i++) {
                        Thread.sleep(100); // the drip itself: a byte every 100 ms is what is under test
                        out.write(' ');
                        out.flush();
                    }
                } catch (IOException | InterruptedException closed) {
                    // the service answered and closed the connection
                }
            });
            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
            java.io.InputStream in = socket.getInputStream();
            try {
                for (int b; (b = in.read()) >= 0; ) { // until the service closes the connection
                    answered.set(true);
                    raw.write(b);
                }
            } catch (java.net.SocketException reset) {
                // closed with a dripped byte unread: what was read is the answer
            }
            answered.set(true);
            drip.join();
            return RawHttp.Response.parse(raw.toByteArray());
        }
    }
}
