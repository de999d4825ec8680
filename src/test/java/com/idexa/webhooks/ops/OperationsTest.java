package com.idexa.webhooks.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/** What an operator and an integrator get: health, metrics, request ids and an API document that cannot drift. */
class OperationsTest extends DeliveryTestSupport {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void reportsHealthLivenessAndReadiness() {
        for (String path :
                new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            TestHttp.Response response = http().get(path);
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.json().get("status").asString()).isEqualTo("UP");
        }
    }

    @Test
    void exposesNothingSecret() {
        for (String path : new String[] {
            "/actuator/env",
            "/actuator/configprops",
            "/actuator/heapdump",
            "/actuator/threaddump",
            "/actuator/beans",
            "/actuator/loggers"
        }) {
            assertThat(http().get(path).status()).as(path).isEqualTo(404);
        }
        assertThat(http().get("/actuator/health").body())
                .doesNotContain("postgres")
                .doesNotContain("jdbc");
    }

    @Test
    void countsARealDeliveryInPrometheusMetrics() {
        try (TestReceiver receiver = TestReceiver.start()) {
            double attemptsBefore = metric("webhook_delivery_attempts_total", "outcome=\"2xx\"");
            double acceptedBefore = metric("webhook_events_accepted_total", "");
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

            awaitStatus(client, deliver(client, "metered"), "SUCCEEDED");

            assertThat(metric("webhook_delivery_attempts_total", "outcome=\"2xx\""))
                    .isGreaterThan(attemptsBefore);
            assertThat(metric("webhook_events_accepted_total", "")).isGreaterThan(acceptedBefore);
            String scrape = http().get("/actuator/prometheus").body();
            assertThat(scrape)
                    .contains("webhook_delivery_attempt_duration_seconds_bucket")
                    .contains("webhook_delivery_first_attempt_lag_seconds_count")
                    .contains("webhook_deliveries_pending")
                    .contains("webhook_deliveries_due")
                    .contains("webhook_deliveries_oldest_due_age_seconds")
                    .contains("webhook_deliveries_finished_total")
                    .doesNotContain(client.clientId().toString())
                    .doesNotContain("/cb/");
        }
    }

    @Test
    void countsFailuresByOutcome() {
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.replies(Reply.status(503));
            double before = metric("webhook_delivery_attempts_total", "outcome=\"5xx\"");
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

            awaitStatus(client, deliver(client, "flaky"), "SUCCEEDED");

            assertThat(metric("webhook_delivery_attempts_total", "outcome=\"5xx\""))
                    .isGreaterThan(before);
        }
    }

    @Test
    void givesEveryRequestAnId() {
        TestHttp.Response generated = http().get("/document_webhooks");
        TestHttp.Response echoed = http().header("X-Request-Id", "req-42.a").get("/document_webhooks");
        TestHttp.Response replaced =
                http().header("X-Request-Id", "bad id with spaces").get("/document_webhooks");

        assertThat(generated.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        assertThat(echoed.header("X-Request-Id")).isEqualTo("req-42.a");
        assertThat(replaced.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void documentsEveryEndpointTheControllersServe() {
        JsonNode docs = http().get("/v3/api-docs").json();
        JsonNode paths = docs.get("paths");
        Set<String> missing = new HashSet<>();
        mappings.getHandlerMethods().forEach((info, handler) -> {
            if (!handler.getBeanType().getPackageName().startsWith("com.idexa.webhooks")) {
                return;
            }
            for (String path : info.getPatternValues()) {
                for (RequestMethod method : info.getMethodsCondition().getMethods()) {
                    JsonNode documented = paths.get(path);
                    if (documented == null || documented.get(method.name().toLowerCase(Locale.ROOT)) == null) {
                        missing.add(method + " " + path);
                    }
                }
            }
        });
        assertThat(missing).isEmpty();
        assertThat(paths.get("/document_webhooks").get("post").toString())
                .contains("Idexa documentation example")
                .contains("ocr_feedback/:id");
        assertThat(docs.get("components")
                        .get("securitySchemes")
                        .get("IDEXA-API-KEY")
                        .get("name")
                        .asString())
                .isEqualTo("IDEXA-API-KEY");
        assertThat(docs.get("components").get("schemas").get("Problem")).isNotNull();
        assertThat(paths.get("/document_webhooks").get("get").toString()).doesNotContain("clientId\",\"in\"");
        assertThat(http().get("/swagger-ui.html").status()).isIn(200, 302);
    }

    @Test
    void everyDocumentedErrorIsAProblemDocument() {
        JsonNode paths = http().get("/v3/api-docs").json().get("paths");
        List<String> notProblems = new ArrayList<>();
        paths.properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    JsonNode responses = operation.getValue().get("responses");
                    responses.properties().forEach(response -> {
                        if (response.getKey().matches("[45]..")
                                && !response.getValue()
                                        .path("content")
                                        .path("application/problem+json")
                                        .path("schema")
                                        .path("$ref")
                                        .asString("")
                                        .equals("#/components/schemas/Problem")) {
                            notProblems.add(operation.getKey() + " " + path.getKey() + " " + response.getKey());
                        }
                    });
                }));
        assertThat(notProblems).isEmpty();
        JsonNode rotate =
                paths.get("/document_webhooks/{id}/secret/rotate").get("post").get("responses");
        assertThat(rotate.has("404") && rotate.has("409")).as(rotate.toString()).isTrue();
    }

    private double metric(String name, String tagFragment) {
        String scrape = http().get("/actuator/prometheus").body();
        Matcher line = Pattern.compile("^" + name + "\\{([^}]*)} ([0-9.eE+-]+)$", Pattern.MULTILINE)
                .matcher(scrape);
        double total = 0;
        while (line.find()) {
            if (line.group(1).contains(tagFragment)) {
                total += Double.parseDouble(line.group(2));
            }
        }
        return total;
    }
}
