package com.idexa.webhooks.web;

import com.idexa.webhooks.config.WebhooksProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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

    private final BearerTokenInterceptor intakeGuard;

    WebConfiguration(WebhooksProperties properties) {
        this.properties = properties;
        this.intakeGuard = new BearerTokenInterceptor(properties.internalToken(), "intake", "webhooks.internal-token");
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BearerTokenInterceptor(properties.adminToken(), "admin", "webhooks.admin-token"))
                .addPathPatterns("/admin/**");
        registry.addInterceptor(intakeGuard).addPathPatterns("/internal/**");
        // Answers carry API keys, signing secrets and masked credentials: no cache on the way keeps one.
        WebContentInterceptor noStore = new WebContentInterceptor();
        noStore.setCacheControl(CacheControl.noStore());
        registry.addInterceptor(noStore)
                .addPathPatterns("/document_webhooks/**", "/api_document/**", "/admin/**", "/internal/**");
    }

    /**
     * Intake's bodies together ({@code webhooks.api.intake-bodies-at-once}); the API's are small and few (64 KB
     * each by default), so they are not counted. Metrics: {@code webhook_intake_body_bytes} held now,
     * {@code webhook_intake_refused_busy_total} refused for want of room.
     */
    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimitFilter(JsonMapper json, MeterRegistry meters) {
        var api =
                new RequestBodyLimitFilter.Limit(properties.api().maxBodySize().toBytes(), null);
        var intake = new RequestBodyLimitFilter.Limit(
                properties.api().intakeMaxBodySize().toBytes(),
                new BodyBudget(properties.api().intakeBodiesAtOnceBytes()));
        Gauge.builder("webhook.intake.body", intake.budget(), BodyBudget::inUse)
                .baseUnit("bytes")
                .description("Bytes of intake request bodies held now")
                .register(meters);
        Counter busy = Counter.builder("webhook.intake.refused.busy")
                .description("Intake requests refused with 503 because bodies held at once were at their limit")
                .register(meters);
        var filter = new RequestBodyLimitFilter(
                // intake's size and bound only for requests with its token: a keyless sender could otherwise declare 16
                // MB
                // bodies and hold intake's whole bound while it is being refused (its 401 comes after its body is read)
                request -> path(request).startsWith("/internal/") && intakeGuard.admits(request) ? intake : api,
                json,
                busy::increment,
                properties.api().bodyReadTimeout());
        var registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /** The path as the servlets are matched on it: decoded, without path parameters ({@code /internal;x=y/...}). */
    private static String path(jakarta.servlet.http.HttpServletRequest request) {
        return request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    }
}
