package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.RawHttp;
import com.idexa.webhooks.support.TestHttp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A client's mistake is the client's to read in the answer, not the operator's in the log: no warning, no error
 * and no stack trace for any 4xx, so sending bad requests cannot flood the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClientErrorsLogQuietlyTest extends IntegrationTest {

    @Test
    void logsNoWarningErrorOrStackTraceForClientErrors(CapturedOutput output) {
        int before = output.getAll().length();
        TestHttp api = http().apiKey(newClient().apiKey());
        RawHttp raw = new RawHttp(port);

        assertThat(api.send("PATCH", "/document_webhooks", null, null).status()).isEqualTo(405);
        assertThat(api.post("/document_webhooks", "{not json").status()).isEqualTo(400);
        assertThat(api.post("/document_webhooks", "{\"type\": 1e400}").status()).isEqualTo(400);
        assertThat(api.send("POST", "/document_webhooks", "x", "text/plain").status())
                .isEqualTo(415);
        assertThat(api.get("/document_webhooks/deliveries?limit=abc").status()).isEqualTo(400);
        assertThat(api.get("/document_webhooks/deliveries/not-a-uuid").status()).isEqualTo(400);
        assertThat(api.get("/no/such/path").status()).isEqualTo(404);
        assertThat(http().get("/document_webhooks").status()).isEqualTo(401);
        assertThat(raw.get("/document_webhooks/deliveries?cursor=%%%").status()).isEqualTo(400);
        assertThat(raw.get("/document_webhooks/a%2Fb").status()).isEqualTo(400);
        assertThat(raw.send("GET / HTTP/1.1\r\nHost: a\r\nX-Bad: \u0001\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1))
                        .status())
                .isEqualTo(400);

        // the dispatcher's lines about other tests' deliveries (retried in the background) are not this test's
        String requestLines = output.getAll()
                .substring(before)
                .lines()
                .filter(line -> !line.contains("com.idexa.webhooks.delivery."))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(requestLines)
                .doesNotContain(" WARN ")
                .doesNotContain(" ERROR ")
                .doesNotContain("\tat ");
    }
}
