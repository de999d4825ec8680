package com.idexa.webhooks.outbound;

import com.idexa.webhooks.config.WebhooksProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The network policy, shared by webhook registration and the outbound HTTP client, and that client. */
@Configuration(proxyBeanMethods = false)
class OutboundConfiguration {

    @Bean
    @ConditionalOnMissingBean
    HostResolver hostResolver() {
        return HostResolver.SYSTEM;
    }

    @Bean
    NetworkPolicy networkPolicy(WebhooksProperties properties, HostResolver resolver) {
        return new NetworkPolicy(properties.outbound().allowPrivateNetworks(), resolver);
    }

    @Bean
    OutboundHttpClient outboundHttpClient(WebhooksProperties properties, NetworkPolicy policy) {
        WebhooksProperties.Outbound outbound = properties.outbound();
        return new OutboundHttpClient(
                policy, outbound.connectTimeout(), outbound.requestTimeout(), outbound.maxConnections());
    }
}
