package com.idexa.webhooks.web;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A request that breaks one or more validation rules; every broken rule is listed, not only the first. */
public class InvalidRequest extends ApiException {

    private final List<FieldProblem> errors;

    public InvalidRequest(List<FieldProblem> errors) {
        super(HttpStatus.BAD_REQUEST, "Invalid request", describe(errors));
        this.errors = List.copyOf(errors);
    }

    public InvalidRequest(String field, String message) {
        this(List.of(new FieldProblem(field, message)));
    }

    public List<FieldProblem> errors() {
        return errors;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("errors", errors);
    }

    private static String describe(List<FieldProblem> errors) {
        return errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid; see errors";
    }
}
