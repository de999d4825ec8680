package com.idexa.webhooks.config;

import com.idexa.webhooks.client.ApiKeyArgumentResolver;
import com.idexa.webhooks.web.BearerTokenInterceptor;
import com.idexa.webhooks.web.RequestBodyLimitFilter;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may call what: the client API takes an {@code IDEXA-API-KEY} (an {@code AuthenticatedClient} parameter),
 * the admin API takes {@code webhooks.admin-token}, intake takes {@code webhooks.internal-token}. Also sets the
 * request body limits.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private final WebhooksProperties properties;
    private final ApiKeyArgumentResolver apiKeys;

    WebConfiguration(WebhooksProperties properties, ApiKeyArgumentResolver apiKeys) {
        this.properties = properties;
        this.apiKeys = apiKeys;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BearerTokenInterceptor(properties.adminToken(), "admin", "webhooks.admin-token"))
                .addPathPatterns("/admin/**");
        registry.addInterceptor(
                        new BearerTokenInterceptor(properties.internalToken(), "intake", "webhooks.internal-token"))
                .addPathPatterns("/internal/**");
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(apiKeys);
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimitFilter(JsonMapper json) {
        long api = properties.api().maxBodySize().toBytes();
        long intake = properties.api().intakeMaxBodySize().toBytes();
        var filter = new RequestBodyLimitFilter(
                request -> request.getRequestURI().startsWith("/internal/") ? intake : api, json);
        var registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
