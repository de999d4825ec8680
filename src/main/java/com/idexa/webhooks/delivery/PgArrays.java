package com.idexa.webhooks.delivery;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * PostgreSQL array literals ({@code {"a","b"}}) to bind as one text parameter and cast in SQL
 * ({@code CAST(:ids AS uuid[])}): a whole batch travels in one parameter, whatever its size.
 */
final class PgArrays {

    private PgArrays() {}

    static String literal(Collection<?> values) {
        return values.stream()
                .map(value -> value == null ? "NULL" : quote(value.toString()))
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
