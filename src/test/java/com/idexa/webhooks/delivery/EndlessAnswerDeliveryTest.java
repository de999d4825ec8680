package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TricklingReceiver;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The status line decides: a receiver that answers 200 at once and then streams its body slowly and without end
 * has its delivery SUCCEEDED after one request, not timed out and sent again.
 */
class EndlessAnswerDeliveryTest extends DeliveryTestSupport {

    private final TricklingReceiver receiver = TricklingReceiver.endless(8192, 512, Duration.ofMillis(100));

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void aSuccessWithAnEndlessBodyIsSucceededAfterExactlyOneRequest() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/endless/:id")));

        JsonNode done = awaitStatus(client, deliver(client, "endless"), "SUCCEEDED");

        assertThat(receiver.requests()).isEqualTo(1);
        assertThat(done.get("attemptCount").asInt()).isEqualTo(1);
        JsonNode attempt = done.get("attempts").get(0);
        assertThat(attempt.get("statusCode").asInt()).isEqualTo(200);
        assertThat(attempt.get("responseBody").asString()).endsWith("…[truncated]");
    }
}
