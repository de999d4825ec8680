package com.idexa.webhooks.web;

import com.idexa.webhooks.config.WebhooksProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.WebContentInterceptor;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator-facing guards (the admin API takes {@code webhooks.admin-token}, intake takes
 * {@code webhooks.internal-token}), {@code Cache-Control: no-store} on every API answer, and the request body limits. The request parameter check and Tomcat's problem
 * documents are in {@link ContainerGuardsConfiguration}, which the actuator's own port shares. The client API's
 * {@code IDEXA-API-KEY} is resolved by the client package's own configuration.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private final WebhooksProperties properties;

    WebConfiguration(WebhooksProperties properties) {
        this.properties = properties;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BearerTokenInterceptor(properties.adminToken(), "admin", "webhooks.admin-token"))
                .addPathPatterns("/admin/**");
        registry.addInterceptor(
                        new BearerTokenInterceptor(properties.internalToken(), "intake", "webhooks.internal-token"))
                .addPathPatterns("/internal/**");
        // Answers carry API keys, signing secrets and masked credentials: no cache on the way keeps one.
        WebContentInterceptor noStore = new WebContentInterceptor();
        noStore.setCacheControl(CacheControl.noStore());
        registry.addInterceptor(noStore)
                .addPathPatterns("/document_webhooks/**", "/api_document/**", "/admin/**", "/internal/**");
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
