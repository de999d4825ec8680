package com.idexa.webhooks.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DebugLoggers;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A full delivery with a token fetch and a failing attempt, and a fixed authorization with signing secrets shown and
 * rotated, with our own logging and the HTTP client's turned up to DEBUG: no token, authorization, password or
 * signing secret reaches the output.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretsStayOutOfLogsTest extends DeliveryTestSupport {

    @RegisterExtension
    final DebugLoggers debug =
            DebugLoggers.of("com.idexa.webhooks", "org.apache.hc.client5", "org.springframework.web");

    @Test
    void noSecretReachesTheLogs(CapturedOutput output) {
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.byDefault(request -> request.path().equals("/login")
                    ? Reply.json(200, "{\"access_token\": \"tok-SECRET-7f3a\", \"expires_in\": 3600}")
                    : Reply.status(200));
            receiver.replies(
                    Reply.json(200, "{\"access_token\": \"tok-SECRET-7f3a\", \"expires_in\": 3600}"),
                    Reply.status(500));
            ClientService.IssuedKey tokenClient = newClient();
            registerWebhook(tokenClient, """
                    {"name": "n", "type": 0, "method": "POST", "url": "%s", "headerAuth": "Bearer",
                     "headers": {"X-Api-Key": "hdr-SECRET-91c2"},
                     "authorizationUrl": "%s",
                     "authorizationHeaders": {"Content-Type": "application/x-www-form-urlencoded"},
                     "authorizationBody": {"username": "root", "password": "pw-SECRET-55d1"}}""".formatted(receiver.url("/cb/:id"), receiver.url("/login")));
            ClientService.IssuedKey fixedClient = newClient();
            String fixedWebhook = registerWebhook(fixedClient, """
                    {"name": "n", "type": 0, "method": "POST", "url": "%s",
                     "authorization": "Bearer fixed-SECRET-0b7e"}""".formatted(receiver.url("/fixed/:id")));

            // Signing secrets: one shown, one chosen by the client in a rotation; both then sign a delivery.
            String shownSecret = http().apiKey(fixedClient.apiKey())
                    .get("/document_webhooks/" + fixedWebhook + "/secret")
                    .json()
                    .get("key")
                    .asString();
            String chosenSecret = "whsec_"
                    + Base64.getEncoder()
                            .encodeToString("chosen-signing-key-4d2e-0123456789".getBytes(StandardCharsets.UTF_8));
            assertThat(http().apiKey(fixedClient.apiKey())
                            .post(
                                    "/document_webhooks/" + fixedWebhook + "/secret/rotate",
                                    "{\"key\": \"" + chosenSecret + "\"}")
                            .status())
                    .isEqualTo(200);

            String tokenDelivery = deliver(tokenClient, "logged-1");
            awaitStatus(tokenClient, tokenDelivery, "SUCCEEDED");
            awaitStatus(fixedClient, deliver(fixedClient, "logged-2"), "SUCCEEDED");

            assertThat(delivery(tokenClient, tokenDelivery).get("attemptCount").asInt())
                    .isEqualTo(2);
            assertThat(receiver.received("/cb/").get(1).header("Authorization")).isEqualTo("Bearer tok-SECRET-7f3a");
            assertThat(output.getAll())
                    .contains(tokenDelivery) // the delivery was logged ...
                    .doesNotContain("SECRET") // ... and none of its secrets
                    .doesNotContain(shownSecret.substring("whsec_".length()))
                    .doesNotContain(chosenSecret.substring("whsec_".length()));
        }
    }
}
