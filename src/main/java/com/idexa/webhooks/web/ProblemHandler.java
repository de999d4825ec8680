package com.idexa.webhooks.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Turns every error into an RFC 9457 problem document ({@code application/problem+json}). Framework errors
 * (405, 415, 404 for unknown paths, ...) are handled by the base class; this class adds the service's own
 * exceptions, readable messages for unreadable JSON, the {@code errors} list for validation, a 503 with
 * {@code Retry-After} while the database is unavailable, and a last resort that answers 500 without class names
 * or stack traces.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    /** What a 503 asks the caller to wait: a little longer than the pool's connection timeout (3 s). */
    static final int RETRY_AFTER_SECONDS = 5;

    private static final long OUTAGE_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final AtomicLong nextOutageWarning = new AtomicLong(System.nanoTime());

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> handleApiException(ApiException e) {
        ProblemDetail problem = Problems.of(e);
        HttpHeaders headers = new HttpHeaders();
        e.headers().forEach(headers::set);
        return ResponseEntity.status(e.status()).headers(headers).body(problem);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> handleTypeMismatch(MethodArgumentTypeMismatchException e) {
        return handleApiException(new InvalidRequest(e.getName(), expected(e.getRequiredType())));
    }

    /** What a parameter of this type must be, in the API's words: never a Java type's name. */
    private static String expected(Class<?> type) {
        if (type != null && type.isEnum()) {
            return "must be one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(constant -> ((Enum<?>) constant).name())
                            .collect(Collectors.joining(", "));
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "must be an integer";
        }
        if (type == UUID.class) {
            return "must be a UUID";
        }
        return "is not a valid value";
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> handleUnexpected(Exception e) {
        if (DatabaseOutage.causedBy(e)) {
            return handleDatabaseOutage(e);
        }
        log.error("Unexpected error while handling a request", e);
        ProblemDetail problem =
                ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, Problems.INTERNAL_ERROR_DETAIL);
        problem.setTitle("Internal error");
        return ResponseEntity.internalServerError().body(problem);
    }

    /**
     * The database is unreachable, restarting or out of connections: a 503 with {@code Retry-After}, so the
     * caller knows to try again. One warning line every ten seconds at most, without the stack: an outage is
     * the same story told by every request.
     */
    private ResponseEntity<ProblemDetail> handleDatabaseOutage(Exception e) {
        long now = System.nanoTime();
        long due = nextOutageWarning.get();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (now - due >= 0 && nextOutageWarning.compareAndSet(due, now + OUTAGE_WARNING_INTERVAL_NANOS)) {
            log.warn(
                    "The database is unavailable; answering 503 ({}{})",
                    root.getClass().getSimpleName(),
                    root.getMessage() == null ? "" : ": " + root.getMessage());
        } else {
            log.debug(
                    "The database is unavailable; answering 503 ({})",
                    root.getClass().getSimpleName());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                "The service cannot reach its database right now; retry after " + RETRY_AFTER_SECONDS + " seconds.");
        problem.setTitle("Service unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS))
                .body(problem);
    }

    /** As the base class answers it, without its warning: a client's wrong method is no news for the operator. */
    @Override
    protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(
            HttpRequestMethodNotSupportedException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        log.debug("Refused a request: {}", e.getMessage());
        return handleExceptionInternal(e, null, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        InvalidRequest invalid = new InvalidRequest(describeUnreadable(e));
        return ResponseEntity.badRequest().body(handleApiException(invalid).getBody());
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = e.getBindingResult().getFieldErrors().stream()
                .map(error -> new FieldProblem(error.getField(), error.getDefaultMessage()))
                .sorted(java.util.Comparator.comparing(FieldProblem::field))
                .toList();
        return ResponseEntity.badRequest()
                .body(handleApiException(new InvalidRequest(errors)).getBody());
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = new ArrayList<>();
        for (ParameterValidationResult result : e.getParameterValidationResults()) {
            String name = result.getMethodParameter().getParameterName();
            result.getResolvableErrors()
                    .forEach(error -> errors.add(new FieldProblem(name, error.getDefaultMessage())));
        }
        return ResponseEntity.badRequest()
                .body(handleApiException(new InvalidRequest(errors)).getBody());
    }

    /**
     * What is wrong with a body that could not be read, named by the JSON path of the value that could not be
     * bound ({@code type}, {@code events[0].type}); only JSON that does not parse at all is the body's fault.
     */
    private static List<FieldProblem> describeUnreadable(HttpMessageNotReadableException e) {
        JacksonException jackson = findCause(e, JacksonException.class);
        if (jackson == null) {
            return List.of(new FieldProblem("body", "is missing or is not readable JSON"));
        }
        if (JsonFieldProblems.namesAField(jackson)) {
            return List.of(JsonFieldProblems.describe(jackson));
        }
        if (jackson instanceof StreamReadException && !(jackson instanceof InputCoercionException)) {
            String where = jackson.getLocation() == null
                    ? ""
                    : " at line " + jackson.getLocation().getLineNr() + ", column "
                            + jackson.getLocation().getColumnNr();
            return List.of(new FieldProblem("body", "is not well-formed JSON" + where));
        }
        return List.of(new FieldProblem(
                "body",
                jackson instanceof MismatchedInputException
                        ? "must be a JSON object"
                        : "is missing or is not readable JSON"));
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }
}
