package com.idexa.webhooks.client;

import com.idexa.webhooks.web.Unauthenticated;
import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Resolves an {@link AuthenticatedClient} parameter from the {@code IDEXA-API-KEY} header (or the older
 * edition's {@code X-API-KEY}); a missing, unknown or revoked key is a 401. Declare the parameter first, so the
 * key is checked before the body is read and validated.
 */
@Component
public class ApiKeyArgumentResolver implements HandlerMethodArgumentResolver {

    public static final String HEADER = "IDEXA-API-KEY";
    /** The OpenAPI security scheme of the client API. */
    public static final String SECURITY_SCHEME = HEADER;

    public static final String LEGACY_HEADER = "X-API-KEY";
    private static final String CHALLENGE = "ApiKey header=\"" + HEADER + "\"";

    private final ClientService clients;

    ApiKeyArgumentResolver(ClientService clients) {
        this.clients = clients;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == AuthenticatedClient.class;
    }

    @Override
    public AuthenticatedClient resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mav,
            NativeWebRequest request,
            WebDataBinderFactory binders) {
        String key = request.getHeader(HEADER);
        if (key == null) {
            key = request.getHeader(LEGACY_HEADER);
        }
        if (key == null || key.isBlank()) {
            throw new Unauthenticated("Send your API key in the " + HEADER + " header.", CHALLENGE);
        }
        return clients.authenticate(key.trim())
                .orElseThrow(() -> new Unauthenticated("The API key is unknown or has been revoked.", CHALLENGE));
    }
}
