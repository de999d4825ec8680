package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import org.junit.jupiter.api.Test;

class WebhookApiTest extends IntegrationTest {

    static final String DOCS_EXAMPLE = """
            {
              "name": "Webhook 1",
              "type": 0,
              "method": "POST",
              "headers": {"Content-Type": "application/json"},
              "headerAuth": "Bearer",
              "url": "http://localhost:5000/ocr_feedback/:id",
              "authorizationUrl": "http://localhost:5000/login",
              "authorizationMethod": "POST",
              "authorizationHeaders": {"Content-Type": "application/x-www-form-urlencoded"},
              "authorizationBody": {"username": "root", "password": "root"},
              "authorizationResponseTokenAttr": "access_token"
            }
            """;

    @Test
    void registersTheDocumentationExampleAndReturnsItsObject() {
        ClientService.IssuedKey client = newClient();
        TestHttp.Response created = http().apiKey(client.apiKey()).post("/document_webhooks", DOCS_EXAMPLE);

        assertThat(created.status()).as(created.body()).isEqualTo(200);
        var body = created.json();
        assertThat(body.propertyNames()).containsExactly("id", "clientId", "name", "type", "method", "headers",
                "headerAuth", "url", "authorization", "authorizationUrl", "authorizationMethod", "authorizationHeaders",
                "authorizationResponseTokenAttr", "createdAt", "updatedAt");
        assertThat(body.get("clientId").asString()).isEqualTo(client.clientId().toString());
        assertThat(body.get("authorization").isNull()).isTrue();
        assertThat(body.get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:\\d\\d");
    }
}
