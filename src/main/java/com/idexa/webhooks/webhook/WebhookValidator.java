package com.idexa.webhooks.webhook;

import com.idexa.webhooks.outbound.AddressBlocked;
import com.idexa.webhooks.outbound.HostNames;
import com.idexa.webhooks.outbound.NetworkPolicy;
import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.InvalidRequest;
import jakarta.validation.Validator;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every rule a webhook registration must pass, checked together so the client sees all its mistakes at once,
 * then normalised into what is stored ({@link ValidWebhook}).
 */
@Component
class WebhookValidator {

    /** A registration that passed every rule, normalised: method upper-case, defaults applied. */
    record ValidWebhook(
            String name,
            int type,
            String method,
            String url,
            String headerAuth,
            String authorizationUrl,
            String authorizationMethod,
            String authorizationResponseTokenAttr,
            WebhookSecrets secrets) {}

    static final Set<String> METHODS = Set.of("POST", "PUT", "GET", "DELETE");
    static final Set<String> TOKEN_METHODS = Set.of("POST", "PUT", "GET");
    private static final String DEFAULT_TOKEN_ATTR = "access_token";
    private static final int MAX_HEADERS = 50;
    private static final int MAX_HEADER_VALUE = 8192;
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\t\\x20-\\x7e\\x80-\\xff]*");
    /** One segment of a dotted token path; the path is split on dots first (a repeated group recurses per dot). */
    private static final Pattern TOKEN_ATTR_SEGMENT = Pattern.compile("[A-Za-z0-9_$@-]+");

    private static final Pattern HOST_AND_PORT = Pattern.compile("([^:\\[\\]]+|\\[[^\\]]*\\])(?::([0-9]*))?");

    private static final Pattern AUTH_SCHEME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers the HTTP client or the service sets; a client setting them would break or spoof the request. */
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "upgrade",
            "te",
            "trailer",
            "proxy-connection",
            "expect",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature");

    private final Validator beanValidator;
    private final NetworkPolicy networkPolicy;

    WebhookValidator(Validator beanValidator, NetworkPolicy networkPolicy) {
        this.beanValidator = beanValidator;
        this.networkPolicy = networkPolicy;
    }

    ValidWebhook validate(WebhookRequest request) {
        List<FieldProblem> errors = new ArrayList<>();
        beanValidator
                .validate(request)
                .forEach(violation ->
                        errors.add(new FieldProblem(violation.getPropertyPath().toString(), violation.getMessage())));

        if (request.type() != null && request.type() != Webhook.TYPE_DOCUMENT_FINISHED) {
            errors.add(new FieldProblem("type", "type must be 0 (Document finished), the only webhook type"));
        }
        String method = upper(request.method());
        if (method != null && !method.isBlank() && !METHODS.contains(method)) {
            errors.add(new FieldProblem("method", "method must be one of POST, PUT, GET, DELETE"));
        }
        String url = trim(request.url());
        if (url != null && !url.isEmpty()) {
            checkUrl("url", url, errors);
            if (!url.contains(":id")) {
                errors.add(new FieldProblem("url", "url must contain :id, where the document id is placed"));
            }
        }
        Map<String, String> headers = headers("headers", request.headers(), errors);
        String headerAuth = trim(request.headerAuth());
        if (headerAuth != null
                && !headerAuth.isEmpty()
                && !AUTH_SCHEME.matcher(headerAuth).matches()) {
            errors.add(new FieldProblem("headerAuth", "headerAuth must be a single word such as Bearer"));
        }
        String authorization = request.authorization();
        if (authorization != null && !HEADER_VALUE.matcher(authorization).matches()) {
            errors.add(new FieldProblem(
                    "authorization", "authorization must not contain line breaks or control characters"));
        }
        if (authorization != null && authorization.isBlank()) {
            errors.add(new FieldProblem("authorization", "authorization must not be blank; leave it out instead"));
        }

        String authorizationUrl = trim(request.authorizationUrl());
        boolean fetchesToken = authorizationUrl != null && !authorizationUrl.isEmpty();
        if (fetchesToken) {
            checkUrl("authorizationUrl", authorizationUrl, errors);
        } else {
            requireTokenEndpoint("authorizationMethod", request.authorizationMethod(), errors);
            requireTokenEndpoint("authorizationHeaders", request.authorizationHeaders(), errors);
            requireTokenEndpoint("authorizationBody", request.authorizationBody(), errors);
            requireTokenEndpoint("authorizationResponseTokenAttr", request.authorizationResponseTokenAttr(), errors);
        }
        if (authorization != null && fetchesToken) {
            errors.add(
                    new FieldProblem(
                            "authorization",
                            "give either authorization (a fixed header) or authorizationUrl (a token fetched at delivery time), not both"));
        }
        if ((authorization != null || fetchesToken)
                && headers != null
                && headers.keySet().stream().anyMatch("authorization"::equalsIgnoreCase)) {
            errors.add(new FieldProblem(
                    "headers.Authorization",
                    "Authorization comes from authorization or authorizationUrl; do not also set it in headers"));
        }

        String authorizationMethod = null;
        String tokenAttr = null;
        Map<String, String> authorizationHeaders = null;
        ObjectNode authorizationBody = null;
        if (fetchesToken) {
            authorizationMethod =
                    upper(request.authorizationMethod()) == null ? "POST" : upper(request.authorizationMethod());
            if (!TOKEN_METHODS.contains(authorizationMethod)) {
                errors.add(
                        new FieldProblem("authorizationMethod", "authorizationMethod must be one of POST, PUT, GET"));
            }
            tokenAttr = trim(request.authorizationResponseTokenAttr()) == null
                    ? DEFAULT_TOKEN_ATTR
                    : trim(request.authorizationResponseTokenAttr());
            if (!isTokenPath(tokenAttr)) {
                errors.add(
                        new FieldProblem(
                                "authorizationResponseTokenAttr",
                                "authorizationResponseTokenAttr must be an attribute name or a dotted path such as data.token"));
            }
            authorizationHeaders = headers("authorizationHeaders", request.authorizationHeaders(), errors);
            JsonNode body = request.authorizationBody();
            if (isPresent(body)) {
                if (body instanceof ObjectNode object) {
                    authorizationBody = object;
                } else {
                    errors.add(new FieldProblem("authorizationBody", "authorizationBody must be a JSON object"));
                }
            }
        }

        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparing(FieldProblem::field));
            throw new InvalidRequest(errors);
        }
        return new ValidWebhook(
                request.name().strip(),
                request.type(),
                method,
                url,
                headerAuth == null || headerAuth.isEmpty() ? null : headerAuth,
                fetchesToken ? authorizationUrl : null,
                authorizationMethod,
                tokenAttr,
                new WebhookSecrets(headers, authorization, authorizationHeaders, authorizationBody, null));
    }

    private void checkUrl(String field, String value, List<FieldProblem> errors) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            errors.add(new FieldProblem(field, field + " is not a valid URL"));
            return;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme))) {
            errors.add(new FieldProblem(field, field + " must be an absolute http or https URL"));
            return;
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            errors.add(new FieldProblem(field, field + whyNoHost(uri.getRawAuthority())));
            return;
        }
        if (uri.getRawUserInfo() != null) {
            errors.add(new FieldProblem(
                    field, field + " must not contain credentials; use authorization or authorizationUrl instead"));
            return;
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            errors.add(new FieldProblem(field, field + " port must be between 1 and 65535"));
            return;
        }
        String brokenRule = HostNames.whyRefused(uri.getHost(), networkPolicy.allowsPrivateNetworks());
        if (brokenRule != null) {
            errors.add(new FieldProblem(field, field + " host is not allowed: " + brokenRule));
            return;
        }
        try {
            networkPolicy.resolveAllowed(uri.getHost());
        } catch (AddressBlocked e) {
            errors.add(new FieldProblem(field, field + " " + e.getMessage())); // names the rule, not the address
        } catch (UnknownHostException e) {
            // A name that does not resolve yet is accepted; the policy is enforced again at connect time.
        }
    }

    /** Why {@link URI} found no host in this authority, as precisely as can be said. */
    private String whyNoHost(String authority) {
        if (authority == null) {
            return " must name a valid host";
        }
        Matcher hostAndPort = HOST_AND_PORT.matcher(authority.substring(authority.indexOf('@') + 1));
        if (!hostAndPort.matches()) {
            return " must name a valid host";
        }
        if (hostAndPort.group(2) != null && hostAndPort.group(2).length() > 5) {
            return " port must be between 1 and 65535";
        }
        String brokenRule = HostNames.whyRefused(hostAndPort.group(1), networkPolicy.allowsPrivateNetworks());
        return brokenRule == null ? " must name a valid host" : " host is not allowed: " + brokenRule;
    }

    private static Map<String, String> headers(String field, JsonNode node, List<FieldProblem> errors) {
        if (!isPresent(node)) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldProblem(field, field + " must be a JSON object of header names to string values"));
            return null;
        }
        if (node.size() > MAX_HEADERS) {
            errors.add(new FieldProblem(field, field + " may hold at most " + MAX_HEADERS + " headers"));
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, JsonNode> header : node.properties()) {
            String name = header.getKey();
            String path = field + "." + name;
            if (!HEADER_NAME.matcher(name).matches()) {
                errors.add(new FieldProblem(path, "is not a valid header name"));
            } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                errors.add(new FieldProblem(path, "is set by the service and cannot be configured"));
            } else if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                errors.add(new FieldProblem(path, "is given twice (header names are case-insensitive)"));
            } else if (!header.getValue().isString()) {
                errors.add(new FieldProblem(path, "must be a string"));
            } else {
                String value = header.getValue().stringValue();
                if (value.length() > MAX_HEADER_VALUE
                        || !HEADER_VALUE.matcher(value).matches()) {
                    errors.add(new FieldProblem(
                            path,
                            "must be at most " + MAX_HEADER_VALUE
                                    + " characters without line breaks or control characters"));
                } else {
                    headers.put(name, value);
                }
            }
        }
        return headers;
    }

    private static void requireTokenEndpoint(String field, Object value, List<FieldProblem> errors) {
        boolean present = value instanceof JsonNode node ? isPresent(node) : value != null;
        if (present) {
            errors.add(new FieldProblem(field, field + " only applies with authorizationUrl, which is missing"));
        }
    }

    private static boolean isPresent(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static String upper(String value) {
        return value == null ? null : value.strip().toUpperCase(Locale.ROOT);
    }

    private static String trim(String value) {
        return value == null ? null : value.strip();
    }

    private static boolean isTokenPath(String path) {
        return path.length() <= 255
                && Arrays.stream(path.split("\\.", -1))
                        .allMatch(segment -> TOKEN_ATTR_SEGMENT.matcher(segment).matches());
    }
}
