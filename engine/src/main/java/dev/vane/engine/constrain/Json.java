package dev.vane.engine.constrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

/** Compact JSON text of values, as the matcher writes them (no whitespace, non-ASCII left as UTF-8). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static String quote(String s) {
        return write(TextNode.valueOf(s));
    }

    static String write(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
