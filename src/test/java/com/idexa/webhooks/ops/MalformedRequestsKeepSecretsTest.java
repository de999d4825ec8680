package com.idexa.webhooks.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.DebugLoggers;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.RawHttp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Requests Tomcat cannot parse, carrying credentials, with Tomcat's logging and ours turned up to DEBUG: Tomcat
 * would print the offending header line (Authorization and API key included) and the raw request bytes, and no
 * such line may reach the output.
 */
@ExtendWith(OutputCaptureExtension.class)
class MalformedRequestsKeepSecretsTest extends IntegrationTest {

    @RegisterExtension
    final DebugLoggers debug = DebugLoggers.of(
            "com.idexa.webhooks",
            "org.springframework.web",
            "org.apache.coyote",
            "org.apache.tomcat",
            "org.apache.catalina");

    private RawHttp.Response send(String request) {
        return new RawHttp(port).send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void noCredentialOfAMalformedRequestReachesTheLogs(CapturedOutput output) {
        int before = output.getAll().length();

        RawHttp.Response controlInBearer = send("POST /internal/document_events HTTP/1.1\r\nHost: a\r\n"
                + "Authorization: Bearer tok-SECRET-1\u0001x\r\nConnection: close\r\n\r\n");
        RawHttp.Response controlInApiKey = send("GET /document_webhooks HTTP/1.1\r\nHost: a\r\n"
                + "IDEXA-API-KEY: idx_SECRET-2\u0007\r\nConnection: close\r\n\r\n");
        RawHttp.Response tooLarge = send("GET /document_webhooks HTTP/1.1\r\nHost: a\r\n"
                + "IDEXA-API-KEY: idx_SECRET-3\r\nX-Big: " + "x".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
        RawHttp.Response badRequestLine = send("GET /x\u0001y HTTP/1.1\r\nHost: a\r\n"
                + "Authorization: Bearer tok-SECRET-4\r\nConnection: close\r\n\r\n");
        RawHttp.Response badHeaderName = send("GET /document_webhooks HTTP/1.1\r\nHost: a\r\n"
                + "IDEXA-API-KEY: idx_SECRET-5\r\nBad Name: v\r\nConnection: close\r\n\r\n");
        RawHttp.Response wellFormed = send("GET /document_webhooks HTTP/1.1\r\nHost: a\r\n"
                + "IDEXA-API-KEY: idx_SECRET-6\r\nConnection: close\r\n\r\n");

        assertThat(controlInBearer.status()).isEqualTo(400);
        assertThat(controlInApiKey.status()).isEqualTo(400);
        assertThat(tooLarge.status()).isEqualTo(400);
        assertThat(badRequestLine.status()).isEqualTo(400);
        assertThat(badHeaderName.status()).isEqualTo(400);
        assertThat(wellFormed.status()).isEqualTo(401);
        assertThat(output.getAll().substring(before)).doesNotContain("SECRET");
    }
}
