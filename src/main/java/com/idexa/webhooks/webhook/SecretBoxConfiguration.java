package com.idexa.webhooks.webhook;

import com.idexa.webhooks.config.WebhooksProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds the {@link SecretBox}; the service refuses to start without a valid {@code webhooks.encryption-key}, or
 * with a malformed {@code webhooks.previous-encryption-keys}.
 */
@Configuration(proxyBeanMethods = false)
class SecretBoxConfiguration {

    @Bean
    SecretBox secretBox(WebhooksProperties properties) {
        return SecretBox.fromBase64Keys(properties.encryptionKey(), properties.previousEncryptionKeys());
    }
}
