package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.constrain.SchemaException;

import java.util.Optional;
import java.util.Set;

/**
 * {@code response_format}: {@code {"type": "text"}} (the default), {@code {"type": "json_object"}}
 * (any JSON object) or {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict",
 * "description"}}}: the choices are constrained to compact JSON valid against the schema (the
 * engine's {@link Grammar}). A schema outside the supported subset, malformed or unsatisfiable, is a
 * 400 whose {@code param} names the offending keyword, e.g.
 * {@code response_format.json_schema.schema.properties.age.minimum}.
 */
final class ResponseFormat {
    static final String FIELD = "response_format";

    private ResponseFormat() {}

    /** The grammar the request's {@code response_format} asks for; empty for text or none. */
    static Optional<Grammar> read(Fields f) {
        Optional<Fields> format = f.object(FIELD);
        if (format.isEmpty()) return Optional.empty();
        Fields r = format.get().allowOnly(Set.of("type", "json_schema"));
        String type = r.string("type").orElseThrow(() -> ApiError.invalid(r.param("type"), r.param("type") + " is required"));
        if (!type.equals("json_schema") && r.has("json_schema"))
            throw ApiError.invalid(r.param("json_schema"), r.param("json_schema") + " is only allowed with type json_schema");
        return switch (type) {
            case "text" -> Optional.empty();
            case "json_object" -> Optional.of(Grammar.jsonObject());
            case "json_schema" -> Optional.of(schema(r));
            default -> throw ApiError.invalid(r.param("type"), r.param("type") + " must be text, json_object or json_schema, got '"
                    + dev.vane.engine.text.Snippet.of(type) + "'");
        };
    }

    private static Grammar schema(Fields r) {
        Fields js = r.object("json_schema").orElseThrow(() -> ApiError.invalid(r.param("json_schema"),
                r.param("json_schema") + " is required with type json_schema"));
        js.allowOnly(Set.of("name", "schema", "strict", "description"));
        js.string("name");
        js.string("description");
        boolean strict = js.bool("strict").orElse(false);
        JsonNode schema = js.raw("schema");
        if (schema == null) throw ApiError.invalid(js.param("schema"), js.param("schema") + " is required");
        try {
            return Grammar.jsonSchema(schema, strict);
        } catch (dev.vane.engine.constrain.AmbiguousGrammarException e) {
            throw ApiError.invalid(js.param("schema"), e.getMessage());
        } catch (SchemaException e) {
            String param = js.param("schema") + (e.path().isEmpty() ? "" : "." + e.path());
            throw ApiError.invalid(param, "invalid JSON schema at " + param + ": " + e.getMessage());
        }
    }
}
