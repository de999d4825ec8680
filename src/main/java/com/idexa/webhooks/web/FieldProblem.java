package com.idexa.webhooks.web;

/** One invalid field of a request: {@code field} is its JSON path ({@code headers.X-Key}), {@code message} is for a person. */
public record FieldProblem(String field, String message) {}
