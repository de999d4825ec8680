package com.idexa.webhooks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import java.time.Duration;
import java.util.StringJoiner;
import tools.jackson.databind.JsonNode;

/** End-to-end helpers: register a webhook, report a finished document, wait for its delivery's outcome. */
public abstract class DeliveryTestSupport extends IntegrationTest {

    protected String registerWebhook(ClientService.IssuedKey client, String json) {
        TestHttp.Response response = http().apiKey(client.apiKey()).post("/document_webhooks", json);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("id").asString();
    }

    protected String simpleWebhook(String method, String url) {
        return "{\"name\": \"test\", \"type\": 0, \"method\": \"" + method + "\", \"url\": \"" + url + "\"}";
    }

    protected TestHttp.Response reportDocument(ClientService.IssuedKey client, String eventId, String documentJson) {
        String eventField = eventId == null ? "" : "\"eventId\": \"" + eventId + "\", ";
        return http().bearer(INTERNAL_TOKEN)
                .post(
                        "/internal/document_events",
                        "{" + eventField + "\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": "
                                + documentJson + "}");
    }

    /** One event of a batch, as {@link #reportBatch} sends it; no {@code eventId} when it is null. */
    protected static String batchEvent(ClientService.IssuedKey client, String eventId, String documentJson) {
        return "{" + (eventId == null ? "" : "\"eventId\": \"" + eventId + "\", ") + "\"clientId\": \""
                + client.clientId() + "\", \"type\": 0, \"document\": " + documentJson + "}";
    }

    protected TestHttp.Response reportBatch(String... events) {
        StringJoiner body = new StringJoiner(",", "{\"events\": [", "]}");
        for (String event : events) {
            body.add(event);
        }
        return http().bearer(INTERNAL_TOKEN).post("/internal/document_events/batch", body.toString());
    }

    /** Reports a finished document and returns its delivery id. */
    protected String deliver(ClientService.IssuedKey client, String documentId) {
        TestHttp.Response response = reportDocument(
                client, null, "{\"id\": \"" + documentId + "\", \"status\": 1, \"statusDesc\": \"FINISHED\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("deliveryId").asString();
    }

    protected JsonNode delivery(ClientService.IssuedKey client, String deliveryId) {
        return http().apiKey(client.apiKey())
                .get("/document_webhooks/deliveries/" + deliveryId)
                .json();
    }

    protected JsonNode awaitStatus(ClientService.IssuedKey client, String deliveryId, String status) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(
                                delivery(client, deliveryId).get("status").asString())
                        .isEqualTo(status));
        return delivery(client, deliveryId);
    }
}
