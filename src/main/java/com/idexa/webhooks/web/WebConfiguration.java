package com.idexa.webhooks.web;

import com.idexa.webhooks.config.WebhooksProperties;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator-facing guards (the admin API takes {@code webhooks.admin-token}, intake takes
 * {@code webhooks.internal-token}), the query string check, the request body limits, and problem documents for
 * what Tomcat refuses itself. The client API's {@code IDEXA-API-KEY} is
 * resolved by the client package's own configuration.
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
    }

    /**
     * Tomcat's error report valve answers the requests it refuses before mapping them; ours answers problem
     * documents. It replaces the one Spring Boot adds (hence the lowest precedence: this runs after Boot's
     * customizer), and the host is told its class so it adds no default one either.
     */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> problemReportValve() {
        return factory -> factory.addContextCustomizers(context -> {
            Pipeline pipeline = context.getParent().getPipeline();
            for (Valve valve : pipeline.getValves()) {
                if (valve instanceof ErrorReportValve) {
                    pipeline.removeValve(valve);
                }
            }
            pipeline.addValve(new ProblemReportValve());
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
            }
        });
    }

    /** Right after the request id, before any filter that might parse a parameter. */
    @Bean
    FilterRegistrationBean<QueryStringFilter> queryStringFilter(JsonMapper json) {
        var registration = new FilterRegistrationBean<>(new QueryStringFilter(json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
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
