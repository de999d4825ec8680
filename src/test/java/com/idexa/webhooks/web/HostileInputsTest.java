package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import org.junit.jupiter.api.Test;

/** Inputs a hostile tester sent that reached a 500, a stack overflow or a silent merge: each is a clear 4xx now. */
class HostileInputsTest extends DeliveryTestSupport {

    @Test
    void aVeryLongDottedTokenPathIsA400NotAStackOverflow() {
        ClientService.IssuedKey client = newClient();
        String path = "a.".repeat(2000) + "a";

        TestHttp.Response response = http().apiKey(client.apiKey()).post("/document_webhooks", """
                        {"name": "n", "type": 0, "method": "POST", "url": "https://hooks.example.com/:id",
                         "authorizationUrl": "https://auth.example.com/t", "authorizationResponseTokenAttr": "%s"}""".formatted(path));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("authorizationResponseTokenAttr");
    }

    @Test
    void eventIdsWithUnpairedSurrogatesAreRefusedNotMergedIntoOne() {
        ClientService.IssuedKey client = newClient();

        TestHttp.Response high = reportDocument(client, "\\ud800", "{\"id\": \"a\"}");
        TestHttp.Response low = reportDocument(client, "\\udbff", "{\"id\": \"b\"}");

        assertThat(high.status()).as(high.body()).isEqualTo(400);
        assertThat(high.body()).contains("eventId");
        assertThat(low.status()).as(low.body()).isEqualTo(400);
    }

    @Test
    void blankEventIdsAreRefusedNotMergedIntoOne() {
        ClientService.IssuedKey client = newClient();

        TestHttp.Response spaces = reportDocument(client, "   ", "{\"id\": \"a\"}");
        TestHttp.Response other = reportDocument(client, "   ", "{\"id\": \"b\"}");

        TestHttp.assertRefusedField(spaces, "eventId");
        TestHttp.assertRefusedField(other, "eventId");
    }

    @Test
    void aTypeWrittenAsAStringOrAFractionIsRefusedNotCoerced() {
        ClientService.IssuedKey client = newClient();

        for (String type : new String[] {"\"0\"", "\"\"", "0.0", "true"}) {
            TestHttp.Response webhook = http().apiKey(client.apiKey()).post("/document_webhooks", """
                            {"name": "n", "type": %s, "method": "POST", "url": "https://hooks.example.com/:id"}""".formatted(type));
            TestHttp.Response event = http().bearer(INTERNAL_TOKEN)
                    .post(
                            "/internal/document_events",
                            "{\"clientId\": \"" + client.clientId() + "\", \"type\": " + type
                                    + ", \"document\": {\"id\": \"d\"}}");

            TestHttp.assertRefusedField(webhook, "type");
            TestHttp.assertRefusedField(event, "type");
        }
        assertThat(http().apiKey(client.apiKey()).get("/document_webhooks").status())
                .as("no webhook was made")
                .isEqualTo(404);
    }

    @Test
    void aMultipartBodyIsRefusedWithoutA500() {
        TestHttp.Response response = http().send("POST", "/document_webhooks", "x", "multipart/form-data");

        assertThat(response.status()).isBetween(400, 499);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    @Test
    void aBatchRefusesAnIdempotencyKeyItCannotHonour() {
        ClientService.IssuedKey client = newClient();
        String batch = "{\"events\": [{\"clientId\": \"" + client.clientId()
                + "\", \"type\": 0, \"document\": {\"id\": \"d\"}}]}";

        TestHttp.Response response = http().bearer(INTERNAL_TOKEN)
                .header("Idempotency-Key", "batch-1")
                .post("/internal/document_events/batch", batch);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("Idempotency-Key");
    }
}
