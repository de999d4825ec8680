package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.config.WebhooksProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The service refuses to start without an encryption key, and says how to make one. */
class StartupWithoutKeyTest {

    private final ApplicationContextRunner context =
            new ApplicationContextRunner().withUserConfiguration(SecretBoxConfiguration.class, Properties.class);

    @EnableConfigurationProperties(WebhooksProperties.class)
    static class Properties {}

    @Test
    void refusesToStartWithoutEncryptionKey() {
        context.run(started -> {
            assertThat(started).hasFailed();
            assertThat(started.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("webhooks.encryption-key is not set")
                    .hasMessageContaining("openssl rand -base64 32");
        });
    }

    @Test
    void startsWithAValidKey() {
        context.withPropertyValues("webhooks.encryption-key=" + SecretBox.generateBase64Key())
                .run(started -> assertThat(started).hasSingleBean(SecretBox.class));
    }
}
