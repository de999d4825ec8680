package com.idexa.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The document reaches the client byte for byte as the platform sent it; retries of intake are safe. */
class DocumentAsSentTest extends DeliveryTestSupport {

    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    @Test
    void sendsTheDocumentByteForByteNumbersKeyOrderAndSpacingIncluded() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String document = "{ \"zeta\":1, \"id\" : \"exact-1\",\n  \"big\": 12345678901234567890.12345,"
                + " \"pi\":3.14159265358979323846, \"tiny\": 1e-400, \"huge\": 1e999, \"int\": 123456789012345678901234567890,"
                + " \"text\": \"caf\\u00e9 \\\"q\\\"\", \"nested\": {\"b\": [1.0, 2.50, -0.0], \"a\": null}\t}";

        TestHttp.Response accepted = reportDocument(client, "exact", document);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

        awaitStatus(client, accepted.json().get("deliveryId").asString(), "SUCCEEDED");
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.received().get(0).body()).isEqualTo(document);
        assertThat(receiver.received().get(0).path()).isEqualTo("/cb/exact-1");
    }

    @Test
    void keepsEachDocumentOfABatchAsSent() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String first = "{\"id\":\"b-1\",\"n\":1.10}";
        String second = "{ \"n\" : 2E+3 , \"id\" : 2 }";
        String batch = "{\"events\": [{\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": " + first
                + "}, {\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\":" + second + "}]}";

        TestHttp.Response accepted = http().bearer(INTERNAL_TOKEN).post("/internal/document_events/batch", batch);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

        awaitStatus(
                client, accepted.json().get("results").get(1).get("deliveryId").asString(), "SUCCEEDED");
        awaitStatus(
                client, accepted.json().get("results").get(0).get("deliveryId").asString(), "SUCCEEDED");
        assertThat(receiver.received())
                .extracting(TestReceiver.Received::body)
                .containsExactlyInAnyOrder(first, second);
    }

    @Test
    void anIdempotencyKeyMakesARetryWithoutEventIdSafe() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String body = "{\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": {\"id\": \"retried\"}}";
        TestHttp.Response first = http().bearer(INTERNAL_TOKEN)
                .header("Idempotency-Key", "platform-attempt-42")
                .post("/internal/document_events", body);
        TestHttp.Response retry = http().bearer(INTERNAL_TOKEN)
                .header("Idempotency-Key", "platform-attempt-42")
                .post("/internal/document_events", body);

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(first.json().get("eventId").asString()).isEqualTo("platform-attempt-42");
        awaitStatus(client, first.json().get("deliveryId").asString(), "SUCCEEDED");
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void refusesADocumentThatIsNotAnObjectNamingIt() {
        ClientService.IssuedKey client = newClient();

        TestHttp.Response response = reportDocument(client, null, "[1, 2]");

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("document");
    }
}
