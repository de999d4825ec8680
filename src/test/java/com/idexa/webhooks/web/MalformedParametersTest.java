package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A query string (or a path parameter, {@code ;name=value}) that is not percent-encoded UTF-8, or that carries a
 * control character, is a 400 problem document naming the parameter on every path, actuator included: never a
 * 500 from deep inside Tomcat's or Spring's parameter parsing or from PostgreSQL, and never a stack trace in the
 * log.
 */
@ExtendWith(OutputCaptureExtension.class)
class MalformedParametersTest extends IntegrationTest {

    private RawHttp.Response get(String target) {
        return new RawHttp(port).get(target, "IDEXA-API-KEY: " + newClient().apiKey());
    }

    private static void assertRefused(RawHttp.Response response, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(field);
        assertThat(response.header("X-Request-Id")).isNotBlank();
    }

    @Test
    void refusesMalformedEscapesNamingTheParameter() {
        assertRefused(get("/document_webhooks/deliveries?cursor=%%%"), "cursor");
        assertRefused(get("/document_webhooks/deliveries?status=%%%"), "status");
        assertRefused(get("/document_webhooks/deliveries?documentId=abc%"), "documentId");
        assertRefused(get("/document_webhooks/deliveries?documentId=%4"), "documentId");
        assertRefused(get("/document_webhooks/deliveries?documentId=%zz"), "documentId");
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        assertRefused(get("/document_webhooks/deliveries?documentId=%C0%AF"), "documentId"); // overlong '/'
        assertRefused(get("/document_webhooks/deliveries?documentId=%FF"), "documentId");
        assertRefused(get("/document_webhooks/deliveries?documentId=%ED%A0%80"), "documentId"); // a lone surrogate
        assertRefused(get("/document_webhooks/deliveries?documentId=%E2%82"), "documentId"); // cut short
    }

    @Test
    void refusesControlCharactersBeforeTheyReachTheDatabase() {
        assertRefused(get("/document_webhooks/deliveries?documentId=%00"), "documentId");
        assertRefused(get("/document_webhooks/deliveries?documentId=a%0Ab"), "documentId");
        assertRefused(get("/document_webhooks/deliveries?cursor=%7F"), "cursor");
    }

    @Test
    void refusesAParameterWithoutANameOnEveryPathActuatorIncluded(CapturedOutput output) {
        assertRefused(get("/document_webhooks/deliveries?=x"), "query");
        assertRefused(get("/document_webhooks/deliveries?limit=5&="), "query");
        assertRefused(new RawHttp(port).get("/actuator/health?=x"), "query");
        assertThat(output.getOut()).doesNotContain("InvalidParameterException");
    }

    @Test
    void aWellFormedValueOfTheWrongKindIsRefusedInTheApisWordsNotJavas() {
        RawHttp.Response status = get("/document_webhooks/deliveries?status=NOPE");
        assertRefused(status, "status");
        assertThat(status.json().get("errors").get(0).get("message").asString())
                .startsWith("must be one of ")
                .contains("PENDING")
                .doesNotContain("DeliveryStatus");
        RawHttp.Response limit = get("/document_webhooks/deliveries?limit=abc");
        assertRefused(limit, "limit");
        assertThat(limit.json().get("errors").get(0).get("message").asString()).isEqualTo("must be an integer");
        RawHttp.Response id = get("/document_webhooks/deliveries/not-a-uuid");
        assertRefused(id, "id");
        assertThat(id.json().get("errors").get(0).get("message").asString()).isEqualTo("must be a UUID");
    }

    @Test
    void refusesAMalformedParameterName() {
        RawHttp.Response response = get("/document_webhooks/deliveries?%%%=1");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void refusesMalformedPathParameters() {
        assertRefused(get("/document_webhooks;x=%%%/deliveries"), "path");
        assertRefused(get("/document_webhooks/deliveries;a=%C0%AF"), "path");
        assertRefused(get("/actuator/health;%%%"), "path");
    }

    @Test
    void refusesMoreParametersThanAnyEndpointTakes() {
        assertRefused(get("/document_webhooks/deliveries?" + "a=&".repeat(1_001)), "query");
        assertRefused(get("/actuator/health?" + "a&".repeat(101)), "query");
    }

    @Test
    void guardsEveryPathTheActuatorAndUnknownOnesIncluded() {
        assertRefused(get("/actuator/health?x=%%%"), "x");
        assertRefused(get("/actuator/health/readiness?x=%00"), "x");
        assertRefused(get("/actuator/prometheus?name=%C0%AF"), "name");
        assertRefused(get("/no/such/path?x=%%%"), "x");
    }

    @Test
    void letsWellFormedQueriesThrough() {
        RawHttp.Response accented = get("/document_webhooks/deliveries?documentId=%C3%A9t%C3%A9+1&limit=5");
        RawHttp.Response plain = get("/document_webhooks/deliveries?documentId=doc-1&&status=PENDING&flag");
        RawHttp.Response pathParameter = get("/document_webhooks/deliveries;v=%C3%A9");

        assertThat(accented.status()).as(accented.toString()).isEqualTo(200);
        assertThat(plain.status()).as(plain.toString()).isEqualTo(200);
        assertThat(pathParameter.status()).as(pathParameter.toString()).isEqualTo(200);
    }

    @Test
    void logsNoStackTraceForAClientsMistake(CapturedOutput output) {
        int before = output.getAll().length();
        get("/document_webhooks/deliveries?cursor=%%%");
        get("/document_webhooks/deliveries?documentId=%00");
        get("/actuator/health?x=%%%");
        get("/document_webhooks;x=%%%/deliveries");

        assertThat(output.getAll().substring(before)).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
