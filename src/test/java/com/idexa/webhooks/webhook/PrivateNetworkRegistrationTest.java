package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.context.TestPropertySource;

/** With the production setting, a webhook cannot point into our own network. */
// Its own dispatcher stays off: with this policy it would fail the other tests' loopback deliveries.
@TestPropertySource(properties = {"webhooks.outbound.allow-private-networks=false", "webhooks.delivery.enabled=false"})
class PrivateNetworkRegistrationTest extends IntegrationTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://localhost:8080/cb/:id",
                "http://127.0.0.1/cb/:id",
                "http://169.254.169.254/latest/meta-data/:id",
                "http://10.0.0.5/:id",
                "http://[::1]/:id",
                "http://[::ffff:127.0.0.1]/:id",
                "https://192.168.0.1/:id",
                "http://100.64.1.1/:id",
                "http://[fd00::1]/:id",
                "http://0.0.0.0/:id"
            })
    void rejectsUrlsIntoPrivateNetworks(String url) {
        TestHttp.Response response = http().apiKey(newClient().apiKey())
                .post(
                        "/document_webhooks",
                        "{\"name\": \"n\", \"type\": 0, \"method\": \"POST\", \"url\": \"" + url + "\"}");

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("url");
        assertThat(response.json().get("errors").get(0).get("message").asString())
                .contains("private network");
    }

    @Test
    void rejectsATokenEndpointInAPrivateNetwork() {
        TestHttp.Response response = http().apiKey(newClient().apiKey()).post("/document_webhooks", """
                {"name": "n", "type": 0, "method": "POST", "url": "https://hooks.client.invalid/:id",
                 "authorizationUrl": "http://169.254.169.254/token"}""");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("authorizationUrl");
    }

    @Test
    void acceptsANameThatDoesNotResolveYetSinceConnectTimeChecksAgain() {
        TestHttp.Response response = http().apiKey(newClient().apiKey()).post("/document_webhooks", """
                {"name": "n", "type": 0, "method": "POST", "url": "https://hooks.client.invalid/:id"}""");

        assertThat(response.status()).isEqualTo(200);
    }
}
