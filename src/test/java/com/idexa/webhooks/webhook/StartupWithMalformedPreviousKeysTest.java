package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.config.WebhooksProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The service refuses to start with a malformed previous key, naming the property and never echoing the key. */
class StartupWithMalformedPreviousKeysTest {

    private static final String KEY = SecretBox.generateBase64Key();
    private static final String PREVIOUS = SecretBox.generateBase64Key();

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(SecretBoxConfiguration.class, Properties.class)
            .withPropertyValues("webhooks.encryption-key=" + KEY);

    @EnableConfigurationProperties(WebhooksProperties.class)
    static class Properties {}

    @Test
    void refusesAPreviousKeyThatIsNotBase64() {
        context.withPropertyValues("webhooks.previous-encryption-keys=" + PREVIOUS + ",not-base64!")
                .run(started -> {
                    assertThat(started).hasFailed();
                    assertThat(started.getStartupFailure())
                            .rootCause()
                            .hasMessageContaining("webhooks.previous-encryption-keys[1] is not valid base64")
                            .hasMessageContaining("openssl rand -base64 32")
                            .hasMessageNotContaining("not-base64!")
                            .hasMessageNotContaining(PREVIOUS)
                            .hasMessageNotContaining(KEY);
                });
    }

    @Test
    void refusesAPreviousKeyOfTheWrongLength() {
        String sixteenBytes = "AAECAwQFBgcICQoLDA0ODw==";
        context.withPropertyValues("webhooks.previous-encryption-keys=" + sixteenBytes)
                .run(started -> {
                    assertThat(started).hasFailed();
                    assertThat(started.getStartupFailure())
                            .rootCause()
                            .hasMessageContaining("webhooks.previous-encryption-keys[0] must be base64 of 32 bytes")
                            .hasMessageNotContaining(sixteenBytes);
                });
    }

    @Test
    void startsWithValidPreviousKeys() {
        context.withPropertyValues(
                        "webhooks.previous-encryption-keys=" + PREVIOUS + ", " + SecretBox.generateBase64Key())
                .run(started -> assertThat(started.getBean(SecretBox.class).previousKeyIds())
                        .hasSize(2));
    }
}
