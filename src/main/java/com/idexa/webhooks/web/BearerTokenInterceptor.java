package com.idexa.webhooks.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Guards an operator-facing API (admin, intake) with one shared bearer token, compared in constant time.
 * When the token is not configured the API refuses every request: an unset token never means "open".
 */
public class BearerTokenInterceptor implements HandlerInterceptor {

    /** The OpenAPI security scheme of the admin API. */
    public static final String ADMIN_TOKEN_SCHEME = "adminToken";
    /** The OpenAPI security scheme of the platform's intake API. */
    public static final String INTERNAL_TOKEN_SCHEME = "internalToken";

    private final byte[] expected;
    private final String apiName;
    private final String property;

    public BearerTokenInterceptor(String token, String apiName, String property) {
        this.expected = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.apiName = apiName;
        this.property = property;
    }

    /** Whether the request carries the token (and one is set): what {@link #preHandle} lets through. */
    boolean admits(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        return expected != null
                && header != null
                && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(expected, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String challenge = "Bearer realm=\"" + apiName + "\"";
        if (expected == null) {
            throw new Unauthenticated("The " + apiName + " API is disabled: " + property + " is not set.", challenge);
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Unauthenticated("Send Authorization: Bearer <token> to call the " + apiName + " API.", challenge);
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new Unauthenticated("The bearer token is not valid for the " + apiName + " API.", challenge);
        }
        return true;
    }
}
