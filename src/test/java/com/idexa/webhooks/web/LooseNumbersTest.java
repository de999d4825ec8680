package com.idexa.webhooks.web;

import static com.idexa.webhooks.support.TestHttp.assertRefusedField;
import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import org.junit.jupiter.api.Test;

/**
 * A number where an integer belongs is taken as written or refused: {@code 0.9} is not rounded to 0, and a
 * number out of range is a 400 naming its field (its JSON path), not the whole body.
 */
class LooseNumbersTest extends IntegrationTest {

    private static final String[] NOT_AN_INT = {"0.9", "0.0", "1e400", "99999999999999999999", "-1e-400"};

    private static void assertRefusedAsNoInteger(TestHttp.Response response, String field) {
        assertRefusedField(response, field);
        assertThat(response.json().get("errors").get(0).get("message").asString())
                .contains("integer");
    }

    @Test
    void refusesAWebhookTypeThatIsNotAnInteger() {
        TestHttp api = http().apiKey(newClient().apiKey());
        for (String type : NOT_AN_INT) {
            assertRefusedAsNoInteger(
                    api.post(
                            "/document_webhooks",
                            "{\"name\": \"n\", \"type\": " + type
                                    + ", \"method\": \"POST\", \"url\": \"http://localhost/:id\"}"),
                    "type");
        }
    }

    @Test
    void refusesAnEventTypeThatIsNotAnInteger() {
        ClientService.IssuedKey client = newClient();
        TestHttp intake = http().bearer(INTERNAL_TOKEN);
        for (String type : NOT_AN_INT) {
            String event = "{\"clientId\": \"" + client.clientId() + "\", \"type\": " + type
                    + ", \"document\": {\"id\": \"d\"}}";
            assertRefusedAsNoInteger(intake.post("/internal/document_events", event), "type");
            assertRefusedAsNoInteger(
                    intake.post("/internal/document_events/batch", "{\"events\": [" + event + "]}"), "events[0].type");
        }
    }

    @Test
    void namesTheFieldOfAnyValueOfTheWrongKind() {
        ClientService.IssuedKey client = newClient();
        TestHttp intake = http().bearer(INTERNAL_TOKEN);

        assertRefusedField(
                intake.post(
                        "/internal/document_events",
                        "{\"clientId\": \"not-a-uuid\", \"type\": 0, \"document\": {\"id\": \"d\"}}"),
                "clientId");
        assertRefusedField(
                intake.post(
                        "/internal/document_events",
                        "{\"clientId\": \"" + client.clientId() + "\", \"type\": 0, \"document\": [1]}"),
                "document");
        assertRefusedField(intake.post("/internal/document_events/batch", "{\"events\": {}}"), "events");
    }

    @Test
    void stillAcceptsAnIntegerType() {
        TestHttp.Response response = http().bearer(INTERNAL_TOKEN)
                .post(
                        "/internal/document_events",
                        "{\"clientId\": \"" + newClient().clientId()
                                + "\", \"type\": 0, \"document\": {\"id\": \"d\"}}");

        assertThat(response.status()).as(response.body()).isEqualTo(202);
    }
}
