package com.idexa.webhooks.web;

import java.util.stream.Collectors;
import org.springframework.lang.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * What a JSON body's mapping error says about one of its fields ({@code type: must be an integer}), worded once for
 * every reader: the HTTP API's problem documents and Kafka intake's dead letters. Never the value itself.
 */
public final class JsonFieldProblems {

    private JsonFieldProblems() {}

    /** Whether the error is about a named field's value (not bytes that are not JSON, nor the document as a whole). */
    public static boolean namesAField(JacksonException e) {
        boolean notJson = e instanceof StreamReadException && !(e instanceof InputCoercionException);
        return !notJson && !e.getPath().isEmpty();
    }

    /** The field and what is wrong with its value; for an error that {@link #namesAField names a field}. */
    public static FieldProblem describe(JacksonException e) {
        return new FieldProblem(path(e), describeValue(e));
    }

    private static String describeValue(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "is not a known field";
        }
        if (e instanceof InvalidNullException) {
            return "must not be null";
        }
        if (e instanceof InputCoercionException coercion) {
            return "is out of range for " + describeType(coercion.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatch) {
            return "must be " + describeType(mismatch.getTargetType());
        }
        if (e instanceof StreamConstraintsException) {
            return "is longer or more deeply nested than allowed";
        }
        return "has an invalid value";
    }

    private static String path(JacksonException e) {
        return e.getPath().stream()
                .map(reference -> reference.getPropertyName() != null
                        ? reference.getPropertyName()
                        : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String describeType(@Nullable Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "a JSON object";
    }
}
