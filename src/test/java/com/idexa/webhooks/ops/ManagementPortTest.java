package com.idexa.webhooks.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;

/**
 * The actuator on a port of its own ({@code MANAGEMENT_SERVER_PORT}, as the image runs it) is guarded like the
 * API: a malformed query string is a 400 problem document, and what Tomcat refuses itself is a problem too.
 */
@TestPropertySource(properties = "management.server.port=0")
class ManagementPortTest extends IntegrationTest {

    @LocalManagementPort
    int managementPort;

    private static void assertProblem(RawHttp.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
    }

    @Test
    void answersReadinessOnItsOwnPort() {
        RawHttp.Response readiness = new RawHttp(managementPort).get("/actuator/health/readiness");

        assertThat(readiness.status()).as(readiness.toString()).isEqualTo(200);
    }

    @Test
    void refusesAMalformedQueryStringOnTheManagementPort() {
        RawHttp.Response response = new RawHttp(managementPort).get("/actuator/health?x=%%%");

        assertProblem(response, 400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("x");
        assertProblem(new RawHttp(managementPort).get("/actuator/health?x=%00"), 400);
    }

    @Test
    void answersTomcatsOwnRefusalsOnTheManagementPortWithAProblem() {
        assertProblem(new RawHttp(managementPort).get("/actuator/health", "X-Bad: a\u0001b"), 400);
        assertProblem(new RawHttp(managementPort).get("/actuator/a%2Fb"), 400);
    }

    @Test
    void answersAnUnknownPathOnTheManagementPortWithAProblem() {
        assertProblem(new RawHttp(managementPort).get("/actuator/nope"), 404);
    }
}
