package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Every validation rule answers 400 with a problem document naming the field, and writes nothing. */
class WebhookValidationTest extends IntegrationTest {

    private static final String VALID = """
            {"name": "n", "type": 0, "method": "POST", "url": "http://localhost:5000/cb/:id"}""";

    @Autowired
    JdbcClient jdbc;

    static Stream<Arguments> invalidRegistrations() {
        return Stream.of(
                Arguments.of("{\"type\": 0, \"method\": \"POST\", \"url\": \"http://h.test/:id\"}", "name"),
                Arguments.of(VALID.replace("\"n\"", "\"   \""), "name"),
                Arguments.of(VALID.replace("\"n\"", "\"" + "x".repeat(256) + "\""), "name"),
                Arguments.of(VALID.replace("\"type\": 0, ", ""), "type"),
                Arguments.of(VALID.replace("\"type\": 0", "\"type\": 1"), "type"),
                Arguments.of(VALID.replace("\"type\": 0", "\"type\": \"zero\""), "type"),
                Arguments.of(VALID.replace("\"method\": \"POST\", ", ""), "method"),
                Arguments.of(VALID.replace("POST", "PATCH"), "method"),
                Arguments.of(VALID.replace("\"url\": \"http://localhost:5000/cb/:id\"", "\"url\": null"), "url"),
                Arguments.of(VALID.replace("http://localhost:5000/cb/:id", "ftp://localhost/:id"), "url"),
                Arguments.of(VALID.replace("http://localhost:5000/cb/:id", "/relative/:id"), "url"),
                Arguments.of(VALID.replace("http://localhost:5000/cb/:id", "http://localhost:5000/cb"), "url"),
                Arguments.of(VALID.replace("http://localhost:5000/cb/:id", "http://user:pw@localhost/:id"), "url"),
                Arguments.of(VALID.replace("http://localhost:5000/cb/:id", "http://exa mple.com/:id"), "url"),
                Arguments.of(VALID.replace("localhost:5000", "localhost:99999"), "url"),
                Arguments.of(VALID.replace("localhost:5000", "localhost:0"), "url"),
                Arguments.of(VALID.replace("localhost:5000", "localhost:999999999999"), "url"),
                Arguments.of(VALID.replace("localhost:5000", "0177.0.0.1"), "url"),
                Arguments.of(VALID.replace("localhost:5000", "2130706433"), "url"),
                Arguments.of(VALID.replace("localhost:5000", "0x7f000001"), "url"),
                Arguments.of(VALID.replace("localhost:5000", "localhost."), "url"),
                Arguments.of(VALID.replace("localhost:5000", "[fe80::1%25eth0]"), "url"),
                Arguments.of(withField("authorizationUrl", "\"http://localhost:65536/login\""), "authorizationUrl"),
                Arguments.of(withField("headers", "[\"a\"]"), "headers"),
                Arguments.of(withField("headers", "{\"X-Count\": 5}"), "headers.X-Count"),
                Arguments.of(withField("headers", "{\"Bad Name\": \"v\"}"), "headers.Bad Name"),
                Arguments.of(withField("headers", "{\"X-A\": \"line\\r\\nInjected: yes\"}"), "headers.X-A"),
                Arguments.of(withField("headers", "{\"Host\": \"internal\"}"), "headers.Host"),
                Arguments.of(withField("headerAuth", "\"Bearer token\""), "headerAuth"),
                Arguments.of(withField("authorizationUrl", "\"not a url\""), "authorizationUrl"),
                Arguments.of(withField("authorizationUrl", "\"mailto:x@y.z\""), "authorizationUrl"),
                Arguments.of(
                        withField("authorization", "\"Bearer x\", \"authorizationUrl\": \"http://localhost/login\""),
                        "authorization"),
                Arguments.of(withField("authorizationBody", "{\"username\": \"u\"}"), "authorizationBody"),
                Arguments.of(
                        withField(
                                "authorizationUrl", "\"http://localhost/login\", \"authorizationHeaders\": {\"X\": 1}"),
                        "authorizationHeaders.X"),
                Arguments.of(
                        withField(
                                "authorizationUrl", "\"http://localhost/login\", \"authorizationBody\": \"user=root\""),
                        "authorizationBody"),
                Arguments.of(
                        withField(
                                "authorizationUrl", "\"http://localhost/login\", \"authorizationMethod\": \"DELETE\""),
                        "authorizationMethod"),
                Arguments.of(
                        withField(
                                "authorizationUrl",
                                "\"http://localhost/login\", \"authorizationResponseTokenAttr\": \"a..b\""),
                        "authorizationResponseTokenAttr"),
                Arguments.of(withField("authorizationURL", "\"http://localhost/login\""), "authorizationURL"),
                Arguments.of(
                        withField("authorization", "\"Bearer x\", \"headers\": {\"authorization\": \"y\"}"),
                        "headers.Authorization"));
    }

    private static String withField(String name, String json) {
        return VALID.substring(0, VALID.length() - 1) + ", \"" + name + "\": " + json + "}";
    }

    @ParameterizedTest
    @MethodSource("invalidRegistrations")
    void rejectsInvalidRegistrationNamingTheField(String body, String field) {
        TestHttp api = http().apiKey(newClient().apiKey());

        TestHttp.Response response = api.post("/document_webhooks", body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        List<String> fields = new ArrayList<>();
        response.json()
                .get("errors")
                .forEach(error -> fields.add(error.get("field").asString()));
        assertThat(fields).as(response.body()).contains(field);
        response.json()
                .get("errors")
                .forEach(error -> assertThat(error.get("message").asString()).isNotBlank());
        assertThat(api.get("/document_webhooks").status())
                .as("nothing was written")
                .isEqualTo(404);
    }

    @Test
    void aPortOutsideTheRangeIsRefusedNamingTheField() {
        TestHttp.Response response = http().apiKey(newClient().apiKey())
                .post("/document_webhooks", VALID.replace("localhost:5000", "localhost:99999"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("message").asString())
                .isEqualTo("url port must be between 1 and 65535");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://localhost:5000/cb/:id",
                "http://127.0.0.1:5000/cb/:id",
                "http://10.0.0.5/cb/:id",
                "http://[::1]:5000/cb/:id",
                "http://receiver:8080/cb/:id",
                "http://app.localhost/cb/:id"
            })
    void localhostAndPrivateAddressesPassWhenPrivateNetworksAreAllowed(String url) {
        TestHttp.Response response = http().apiKey(newClient().apiKey())
                .post("/document_webhooks", VALID.replace("http://localhost:5000/cb/:id", url));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @Test
    void reportsEveryBrokenRuleAtOnce() {
        TestHttp.Response response = http().apiKey(newClient().apiKey())
                .post("/document_webhooks", "{\"type\": 3, \"method\": \"PATCH\", \"url\": \"http://localhost/x\"}");

        List<String> fields = new ArrayList<>();
        response.json()
                .get("errors")
                .forEach(error -> fields.add(error.get("field").asString()));
        assertThat(fields).contains("name", "type", "method", "url");
    }

    @Test
    void appliesDefaultsForTheTokenEndpoint() {
        JsonNode created = http().apiKey(newClient().apiKey())
                .post(
                        "/document_webhooks",
                        withField("authorizationUrl", "\"http://localhost/login\"")
                                .replace("POST", "get"))
                .json();

        assertThat(created.get("method").asString()).isEqualTo("GET");
        assertThat(created.get("authorizationMethod").asString()).isEqualTo("POST");
        assertThat(created.get("authorizationResponseTokenAttr").asString()).isEqualTo("access_token");
    }

    @Test
    void malformedJsonIsABadRequest() {
        TestHttp.Response response = http().apiKey(newClient().apiKey()).post("/document_webhooks", "{\"name\": ");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("body");
    }

    @Test
    void missingBodyIsABadRequest() {
        TestHttp.Response response =
                http().apiKey(newClient().apiKey()).send("POST", "/document_webhooks", "", "application/json");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void wrongMediaTypeIs415() {
        TestHttp.Response response = http().apiKey(newClient().apiKey())
                .send("POST", "/document_webhooks", "name=x", "application/x-www-form-urlencoded");

        assertThat(response.status()).isEqualTo(415);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void oversizedBodyIs413() {
        String huge = withField("headers", "{\"X-Big\": \"" + "a".repeat(70 * 1024) + "\"}");
        TestHttp.Response response = http().apiKey(newClient().apiKey()).post("/document_webhooks", huge);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void unsupportedMethodIs405() {
        TestHttp.Response response =
                http().apiKey(newClient().apiKey()).send("PUT", "/document_webhooks", VALID, "application/json");

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void unknownPathIsAProblemDocument() {
        TestHttp.Response response = http().apiKey(newClient().apiKey()).get("/no_such_thing");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void malformedIdIsABadRequestNotAServerError() {
        TestHttp.Response response = http().apiKey(newClient().apiKey()).get("/document_webhooks/not-a-uuid");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("id");
    }

    @Test
    void errorBodiesNeverShowStackTracesOrClassNames() {
        TestHttp.Response response = http().apiKey(newClient().apiKey()).post("/document_webhooks", "[1,2");

        assertThat(response.body())
                .doesNotContain("Exception")
                .doesNotContain("at com.")
                .doesNotContain("tools.jackson");
    }

    @Test
    void invalidRegistrationWritesNothing() {
        long before =
                jdbc.sql("SELECT count(*) FROM webhooks").query(Long.class).single();
        http().apiKey(newClient().apiKey()).post("/document_webhooks", VALID.replace("POST", "PATCH"));
        assertThat(jdbc.sql("SELECT count(*) FROM webhooks").query(Long.class).single())
                .isEqualTo(before);
    }
}
