package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import org.junit.jupiter.api.Test;

/** A NUL or other control character in a text field is a 400 naming the field, never a database error. */
class ControlCharactersTest extends IntegrationTest {

    private static void assertRefused(TestHttp.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(field);
    }

    @Test
    void refusesControlCharactersInAWebhookName() {
        TestHttp.Response response = http().apiKey(newClient().apiKey())
                .post(
                        "/document_webhooks",
                        "{\"name\": \"a\\u0000b\", \"type\": 0, \"method\": \"POST\", \"url\": \"http://localhost/:id\"}");

        assertRefused(response, "name");
    }

    @Test
    void refusesControlCharactersInAClientName() {
        assertRefused(http().bearer(ADMIN_TOKEN).post("/admin/clients", "{\"name\": \"Acme\\u0000\"}"), "name");
    }

    @Test
    void refusesControlCharactersInEventIdsAndDocumentIds() {
        ClientService.IssuedKey client = newClient();
        String event = "{\"eventId\": \"%s\", \"clientId\": \"" + client.clientId()
                + "\", \"type\": 0, \"document\": {\"id\": \"%s\"}}";
        TestHttp intake = http().bearer(INTERNAL_TOKEN);

        assertRefused(intake.post("/internal/document_events", event.formatted("e\\u0000", "d")), "eventId");
        assertRefused(intake.post("/internal/document_events", event.formatted("e", "d\\u0000")), "document.id");
        assertRefused(
                intake.post("/internal/document_events/batch", "{\"events\": [" + event.formatted("e", "d\\n") + "]}"),
                "events[0].document.id");
    }

    @Test
    void keepsControlCharactersInsideTheDocumentAsTheyWere() {
        ClientService.IssuedKey client = newClient();
        TestHttp.Response response = http().bearer(INTERNAL_TOKEN)
                .post(
                        "/internal/document_events",
                        "{\"clientId\": \"" + client.clientId()
                                + "\", \"type\": 0, \"document\": {\"id\": \"d\", \"text\": \"line\\nbreak \\u0000\"}}");

        assertThat(response.status()).as(response.body()).isEqualTo(202);
    }
}
