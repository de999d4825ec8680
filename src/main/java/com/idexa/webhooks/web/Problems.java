package com.idexa.webhooks.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/** Problem documents for an {@link ApiException}: in {@link ProblemHandler}, and from filters that answer themselves. */
final class Problems {

    /** The whole detail of a 500: nothing about what failed reaches the client. */
    static final String INTERNAL_ERROR_DETAIL = "The service could not complete the request; it has been logged.";

    private Problems() {}

    static ProblemDetail of(ApiException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        problem.setTitle(e.title());
        e.properties().forEach(problem::setProperty);
        return problem;
    }

    /** Answers the request with this problem, from a filter, where no controller advice reaches. */
    static void write(HttpServletResponse response, HttpServletRequest request, ApiException e, JsonMapper json)
            throws IOException {
        ProblemDetail problem = of(e);
        problem.setInstance(instance(request));
        e.headers().forEach(response::setHeader);
        response.setStatus(e.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    private static URI instance(HttpServletRequest request) {
        try {
            return URI.create(request.getRequestURI());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
