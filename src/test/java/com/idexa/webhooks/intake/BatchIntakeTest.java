package com.idexa.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class BatchIntakeTest extends DeliveryTestSupport {

    @Autowired
    JdbcClient jdbc;

    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void recordsABatchInOrderWithTheSameIdempotencyAsSingleEvents() {
        ClientService.IssuedKey withWebhook = newClient();
        registerWebhook(withWebhook, simpleWebhook("POST", receiver.url("/cb/:id")));
        ClientService.IssuedKey withoutWebhook = newClient();
        TestHttp.Response earlier = reportDocument(withWebhook, "evt-earlier", "{\"id\": \"d0\"}");

        TestHttp.Response response = reportBatch(
                batchEvent(withWebhook, "evt-a", "{\"id\": \"d1\"}"),
                batchEvent(withoutWebhook, null, "{\"id\": \"d2\"}"),
                batchEvent(withWebhook, "evt-a", "{\"id\": \"d1\"}"),
                batchEvent(withWebhook, "evt-earlier", "{\"id\": \"d0\"}"));

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        JsonNode results = response.json().get("results");
        assertThat(results).hasSize(4);
        assertThat(results.get(0).get("eventId").asString()).isEqualTo("evt-a");
        assertThat(results.get(0).get("deliveryId").isNull()).isFalse();
        assertThat(results.get(1).get("deliveryId").isNull()).isTrue();
        assertThat(results.get(2)).isEqualTo(results.get(0));
        assertThat(results.get(3)).isEqualTo(earlier.json());
        awaitStatus(withWebhook, results.get(0).get("deliveryId").asString(), "SUCCEEDED");
        assertThat(receiver.received("/cb/d1")).hasSize(1);
    }

    @Test
    void refusesTheWholeBatchWhenOneEventIsInvalid() {
        ClientService.IssuedKey client = newClient();
        long before = jdbc.sql("SELECT count(*) FROM events WHERE client_id = ?")
                .param(client.clientId())
                .query(Long.class)
                .single();

        TestHttp.Response response = reportBatch(
                batchEvent(client, "ok", "{\"id\": \"fine\"}"), batchEvent(client, "bad", "{\"status\": 1}"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("events[1].document.id");
        assertThat(jdbc.sql("SELECT count(*) FROM events WHERE client_id = ?")
                        .param(client.clientId())
                        .query(Long.class)
                        .single())
                .isEqualTo(before);
    }

    @Test
    void namesAnUnknownClientInTheBatch() {
        ClientService.IssuedKey client = newClient();
        String unknown = batchEvent(client, "x", "{\"id\": \"y\"}")
                .replace(client.clientId().toString(), "00000000-0000-0000-0000-0000000000aa");

        TestHttp.Response response = reportBatch(batchEvent(client, "fine", "{\"id\": \"y\"}"), unknown);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("events[1].clientId");
    }

    @Test
    void refusesEmptyAndOversizedBatches() {
        ClientService.IssuedKey client = newClient();
        assertThat(reportBatch().status()).isEqualTo(400);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            many.add(batchEvent(client, null, "{\"id\": \"d" + i + "\"}"));
        }
        TestHttp.Response tooMany = reportBatch(many.toArray(String[]::new));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("errors").get(0).get("field").asString()).isEqualTo("events");
    }

    @Test
    void keepsEventKeysWithQuotesAndBackslashesIntact() {
        ClientService.IssuedKey client = newClient();
        String key = "evt \\\"quoted\\\" \\\\ {braces}, commas";

        TestHttp.Response first = reportBatch(batchEvent(client, key, "{\"id\": \"q\"}"));
        TestHttp.Response replay = reportBatch(batchEvent(client, key, "{\"id\": \"q\"}"));

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.json().get("results").get(0).get("eventId").asString())
                .isEqualTo("evt \"quoted\" \\ {braces}, commas");
        assertThat(replay.json()).isEqualTo(first.json());
    }
}
