package com.idexa.webhooks.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.lang.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the raw query string and path parameters ({@code ;name=value} in a path segment) before anything parses
 * them, and refuses, with a 400 problem document naming the parameter, one that is not strictly percent-encoded
 * UTF-8 or that carries a control character. Left alone, a malformed escape throws from whichever component first
 * asks for a parameter (a 500, on actuator paths too: Tomcat for the query, Spring's path parsing for path
 * parameters, which Tomcat does not decode), an overlong or cut-short UTF-8 sequence decodes to replacement
 * characters, and a NUL reaches PostgreSQL, which refuses it; past 1,000 parameters Tomcat throws too. Nothing
 * after this filter sees such a request. It runs right after the request id is assigned, before every other
 * filter.
 */
public class RequestParametersFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RequestParametersFilter.class);

    /** No endpoint takes more than a handful; Tomcat throws (a 500) past its own limit of 1,000. */
    static final int MAX_PARAMETERS = 100;

    private final JsonMapper json;

    public RequestParametersFilter(JsonMapper json) {
        this.json = json;
    }

    /** Right after the request id, before any filter that might parse a parameter. */
    static FilterRegistrationBean<RequestParametersFilter> registration(JsonMapper json) {
        var registration = new FilterRegistrationBean<>(new RequestParametersFilter(json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        FieldProblem problem = checkQuery(request.getQueryString());
        if (problem == null) {
            problem = checkPathParameters(request.getRequestURI());
        }
        if (problem != null) {
            log.debug("Refused unreadable request parameters: {}", problem);
            Problems.write(response, request, new InvalidRequest(problem.field(), problem.message()), json);
            return;
        }
        chain.doFilter(request, response);
    }

    /** The first parameter of this raw query string that cannot be read, or {@code null} when all can. */
    @Nullable
    static FieldProblem checkQuery(@Nullable String query) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        String[] pairs = query.split("&");
        if (pairs.length > MAX_PARAMETERS) {
            return new FieldProblem("query", "must have at most " + MAX_PARAMETERS + " parameters");
        }
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            String rawName = equals < 0 ? pair : pair.substring(0, equals);
            if (rawName.isEmpty() && !pair.isEmpty()) { // "=x": Tomcat's parser throws on it (a 500)
                return new FieldProblem("query", "parameter names must not be empty");
            }
            Decoded name = decode(rawName);
            if (name.problem() != null) {
                return new FieldProblem("query", "parameter names " + name.problem());
            }
            Decoded value = equals < 0 ? Decoded.EMPTY : decode(pair.substring(equals + 1));
            if (value.problem() != null) {
                return new FieldProblem(name.text(), value.problem());
            }
        }
        return null;
    }

    /** The first path parameter of this raw request URI that cannot be read, or {@code null} when all can. */
    @Nullable
    static FieldProblem checkPathParameters(String uri) {
        if (uri.indexOf(';') < 0) {
            return null;
        }
        for (String segment : uri.split("/")) {
            int semicolon = segment.indexOf(';');
            if (semicolon < 0) {
                continue;
            }
            for (String parameter : segment.substring(semicolon + 1).split(";")) {
                String problem = decode(parameter).problem();
                if (problem != null) {
                    return new FieldProblem("path", "path parameters " + problem);
                }
            }
        }
        return null;
    }

    private record Decoded(String text, String problem) {
        static final Decoded EMPTY = new Decoded("", null);
        static final Decoded MALFORMED = new Decoded(null, "must be percent-encoded UTF-8");
        static final Decoded CONTROL = new Decoded(null, "must not contain control characters");
    }

    /** Percent-decodes strictly: every {@code %} followed by two hex digits, the bytes well-formed UTF-8. */
    private static Decoded decode(String raw) {
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 4);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    return Decoded.MALFORMED;
                }
                bytes.put((byte) (high << 4 | low));
                i += 2;
            } else if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                // Tomcat refuses raw non-ASCII bytes in the request line; one that got here was never encoded
                return Decoded.MALFORMED;
            }
        }
        bytes.flip();
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            return Decoded.MALFORMED;
        }
        return NoControlCharacters.Validator.hasNone(text) ? new Decoded(text, null) : Decoded.CONTROL;
    }
}
