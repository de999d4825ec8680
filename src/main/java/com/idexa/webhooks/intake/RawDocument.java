package com.idexa.webhooks.intake;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A document exactly as the platform wrote it: the bytes of the JSON object, number literals, key order and
 * spacing included. It is stored as this text and sent as these bytes; it never passes through a tree of
 * doubles. Read by {@link EventReader}, which hands the deserializer the body's bytes.
 */
@JsonDeserialize(using = RawDocument.Deserializer.class)
record RawDocument(String json) {

    /** The DeserializationContext attribute holding the bytes being read. */
    static final String SOURCE = RawDocument.class.getName() + ".source";

    /** Takes the object's own bytes from the source, by the parser's byte offsets. */
    static final class Deserializer extends ValueDeserializer<RawDocument> {
        @Override
        public RawDocument deserialize(JsonParser parser, DeserializationContext context) {
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                return context.reportInputMismatch(RawDocument.class, "document must be a JSON object");
            }
            byte[] source = (byte[]) context.getAttribute(SOURCE);
            long start = parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            long end = parser.currentLocation().getByteOffset();
            if (source == null || start < 0 || end > source.length || end <= start) {
                throw new IllegalStateException("documents are read through EventReader, which knows their bytes");
            }
            try {
                return new RawDocument(StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(source, (int) start, (int) (end - start)))
                        .toString());
            } catch (CharacterCodingException e) {
                // Skipped strings are not decoded by the parser: bytes that are not UTF-8 would be sent altered.
                return context.reportInputMismatch(RawDocument.class, "document must be valid UTF-8");
            }
        }
    }
}
