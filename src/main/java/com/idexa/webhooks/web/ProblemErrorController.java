package com.idexa.webhooks.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page, in place of Spring Boot's: what Tomcat or a filter refuses after the
 * request was mapped to the application (a {@code TRACE}, an exception thrown by a filter) is forwarded here
 * and answered with a problem document carrying the status the container chose. It says nothing about the
 * exception; the container has logged it. Called directly, the error page is a resource like no other: 404.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(code instanceof Integer)) {
            return answer(HttpStatus.NOT_FOUND, "No resource at this path.", request.getRequestURI());
        }
        HttpStatus status = HttpStatus.resolve((Integer) code);
        if (status == null || !status.isError()) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        String detail = status.is5xxServerError()
                ? Problems.INTERNAL_ERROR_DETAIL
                : "The request was refused before it reached the API: " + status.getReasonPhrase() + ".";
        return answer(status, detail, (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
    }

    private static ResponseEntity<ProblemDetail> answer(HttpStatus status, String detail, String path) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        if (path != null) {
            try {
                problem.setInstance(URI.create(path));
            } catch (IllegalArgumentException e) {
                // a path the container accepted but URI does not: the problem goes without an instance
            }
        }
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
