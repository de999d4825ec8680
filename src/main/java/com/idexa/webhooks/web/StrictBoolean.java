package com.idexa.webhooks.web;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/**
 * A boolean written as JSON {@code true} or {@code false}, nothing else: the mapper turns {@code "true"}, {@code 1}
 * and {@code 2} into true and {@code ""} into null for other fields, which would silently choose, or keep, a
 * setting the client did not write. A JSON {@code null} is left to mean "not given" (the field's default).
 */
public final class StrictBoolean extends ValueDeserializer<Boolean> {

    @Override
    public Boolean deserialize(JsonParser parser, DeserializationContext context) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            return token == JsonToken.VALUE_TRUE;
        }
        return (Boolean) context.handleUnexpectedToken(Boolean.class, parser);
    }
}
