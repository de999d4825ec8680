package com.idexa.webhooks.web;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/**
 * An integer written as a JSON number, nothing else: the mapper turns {@code "5"} into 5 and {@code ""} into null
 * for other fields, which here would silently set, or clear, a client's limit.
 */
public final class StrictInteger extends ValueDeserializer<Integer> {

    @Override
    public Integer deserialize(JsonParser parser, DeserializationContext context) {
        if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return parser.getIntValue(); // out of int's range: refused by the parser itself
        }
        return (Integer) context.handleUnexpectedToken(Integer.class, parser);
    }
}
