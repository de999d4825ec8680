package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Received;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * With a short configured overlap, the replaced secret stops signing once it ends: only the new one is sent.
 *
 * <p>Only settings that travel with the stored keys may differ here: every test context's dispatcher claims from the
 * one test database, so a per-instance setting (such as {@code webhooks.signing.asymmetric}) would decide other
 * tests' deliveries too. That one is tested on {@code WebhookSignatures} itself.
 */
// Closed after the class: every cached context's dispatcher claims from the one test database, and this one's
// settings must not decide other classes' deliveries.
@DirtiesContext
@TestPropertySource(properties = "webhooks.signing.rotation-overlap=2s")
class RotationOverlapEndsTest extends DeliveryTestSupport {

    @Test
    void afterTheOverlapOnlyTheNewSecretSigns() {
        try (TestReceiver receiver = TestReceiver.start()) {
            ClientService.IssuedKey client = newClient();
            String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
            String rotate = "/document_webhooks/" + webhookId + "/secret/rotate";
            String old = http().apiKey(client.apiKey())
                    .get("/document_webhooks/" + webhookId + "/secret")
                    .json()
                    .get("key")
                    .asString();
            TestHttp.Response rotated = http().apiKey(client.apiKey()).post(rotate, "");
            assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
            String fresh = rotated.json().get("key").asString();

            // Deliver until a request carries one signature of each kind: the overlap is over.
            AtomicInteger sent = new AtomicInteger();
            AtomicReference<Received> last = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        deliver(client, "doc-" + sent.incrementAndGet());
                        await().atMost(Duration.ofSeconds(20))
                                .until(() -> receiver.received().size() >= sent.get());
                        Received request = receiver.received().get(sent.get() - 1);
                        last.set(request);
                        return SignedDeliveriesTest.entries(request, "v1").size() == 1;
                    });

            Received request = last.get();
            assertThatThrownBy(() -> SignedDeliveriesTest.verifyHmac(old, request))
                    .isInstanceOf(WebhookVerificationException.class);
            try {
                SignedDeliveriesTest.verifyHmac(fresh, request);
            } catch (WebhookVerificationException e) {
                throw new AssertionError("the new secret does not verify the request", e);
            }
        }
    }
}
