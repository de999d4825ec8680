package com.idexa.webhooks.client;

import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.List;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The client API's credentials: an {@link AuthenticatedClient} parameter is resolved from {@code IDEXA-API-KEY}. */
@Configuration(proxyBeanMethods = false)
@SecurityScheme(
        name = ApiKeyArgumentResolver.SECURITY_SCHEME,
        type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER,
        paramName = ApiKeyArgumentResolver.HEADER,
        description = "The client's API key, issued by the admin API")
class ClientWebConfiguration implements WebMvcConfigurer {

    static {
        // Resolved from the IDEXA-API-KEY header, not a request parameter.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(AuthenticatedClient.class);
    }

    private final ApiKeyArgumentResolver apiKeys;

    ClientWebConfiguration(ApiKeyArgumentResolver apiKeys) {
        this.apiKeys = apiKeys;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(apiKeys);
    }
}
