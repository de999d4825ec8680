package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.RawHttp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Requests Tomcat refuses itself, before any filter or controller runs, and those that reach the servlet
 * container's error page: each answers a problem document, never HTML, a stack trace or a class name.
 */
class RefusedBeforeSpringTest extends IntegrationTest {

    private RawHttp raw() {
        return new RawHttp(port);
    }

    private RawHttp.Response send(String request) {
        return raw().send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertProblem(RawHttp.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("title").asString()).isNotBlank();
        assertThat(response.body())
                .doesNotContainIgnoringCase("html")
                .doesNotContainIgnoringCase("tomcat")
                .doesNotContain("Exception")
                .doesNotContain("at org.");
    }

    @Test
    void answersAnEncodedSlashInThePathWithAProblem() {
        assertProblem(raw().get("/document_webhooks/a%2Fb"), 400);
        assertProblem(raw().get("/document_webhooks/deliveries/..%2F..%2Fadmin"), 400);
    }

    @Test
    void answersAMalformedEscapeInThePathWithAProblem() {
        assertProblem(raw().get("/document_webhooks/%%%"), 400);
        assertProblem(raw().get("/document_webhooks/%00"), 400);
    }

    @Test
    void answersAControlCharacterInAHeaderWithAProblem() {
        assertProblem(raw().get("/document_webhooks", "IDEXA-API-KEY: idx_a\u0001b"), 400);
    }

    @Test
    void answersAHeaderTooLargeWithAProblem() {
        assertProblem(raw().get("/document_webhooks", "X-Big: " + "x".repeat(20_000)), 400);
    }

    @Test
    void answersABrokenRequestLineWithAProblem() {
        assertProblem(send("GET /x\u0001y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), 400);
        assertProblem(send("G(T / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), 400);
    }

    @Test
    void answersAnUnknownTransferEncodingWithAProblem() {
        assertProblem(
                send("POST /internal/document_events HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
                        + "Connection: close\r\n\r\n"),
                501);
    }

    @Test
    void answersTheContainersOwnRefusalThroughTheErrorPageWithAProblem() {
        RawHttp.Response trace = send("TRACE /document_webhooks HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

        assertProblem(trace, 405);
        assertThat(trace.json().get("instance").asString()).isEqualTo("/document_webhooks");
    }

    @Test
    void answersTheErrorPathItselfAsNotFound() {
        assertProblem(raw().get("/error"), 404);
    }

    @Test
    void neverParsesAFormBodyNoEndpointTakes() {
        RawHttp.Response response = send("DELETE /document_webhooks HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                + "IDEXA-API-KEY: " + newClient().apiKey() + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\n%%%");

        assertProblem(response, 404);
    }
}
