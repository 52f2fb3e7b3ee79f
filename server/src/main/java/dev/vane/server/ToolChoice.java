package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.constrain.SchemaException;

import java.util.List;
import java.util.Optional;

/**
 * A chat request's {@code tool_choice}: {@code auto} (the default with tools: the template's
 * format is parsed), {@code none} (tools left out), {@code required} (the answer is constrained to
 * a JSON array of one or more calls {@code [{"name", "parameters"}]} of the request's tools) or
 * {@code {"type": "function", "function": {"name": N}}} (the answer is constrained to N's
 * arguments, a JSON value of its {@code parameters} schema), as vLLM does. The constraints are
 * structured output's grammars; a tool whose {@code parameters} the grammar cannot express is a
 * 400 naming its keyword.
 */
sealed interface ToolChoice {

    record Auto() implements ToolChoice {}

    record None() implements ToolChoice {}

    record Required() implements ToolChoice {}

    record Named(String name) implements ToolChoice {}

    static ToolChoice read(Fields f) {
        JsonNode c = f.raw("tool_choice");
        if (c == null) return new Auto();
        if (c.isTextual())
            switch (c.textValue()) {
                case "auto": return new Auto();
                case "none": return new None();
                case "required": return new Required();
                default: break;
            }
        if (c.isObject()) {
            Fields o = new Fields((ObjectNode) c, "tool_choice.");
            o.allowOnly(java.util.Set.of("type", "function"));
            if (!o.string("type").orElse("").equals("function"))
                throw ApiError.invalid(o.param("type"), o.param("type") + " must be function");
            Fields fn = o.object("function").orElseThrow(() -> ApiError.invalid(o.param("function"), o.param("function") + " is required"));
            fn.allowOnly(java.util.Set.of("name"));
            return new Named(fn.string("name").orElseThrow(() -> ApiError.invalid(fn.param("name"), fn.param("name") + " is required")));
        }
        throw ApiError.invalid("tool_choice", "tool_choice must be none, auto, required or {\"type\": \"function\", \"function\": {\"name\": …}}");
    }

    /** The constraint a forced choice puts on the answer; empty for auto and none. */
    static Optional<Grammar> grammar(ToolChoice choice, Fields f) {
        List<JsonNode> tools = f.array("tools").orElse(List.of());
        return switch (choice) {
            case Auto a -> Optional.empty();
            case None n -> Optional.empty();
            case Named n -> {
                for (int i = 0; i < tools.size(); i++)
                    if (n.name().equals(tools.get(i).path("function").path("name").asText(null)))
                        yield Optional.of(compile(parameters(tools.get(i)), "tools[" + i + "].function.parameters"));
                throw ApiError.invalid("tool_choice.function.name", "tool_choice.function.name '" + dev.vane.engine.text.Snippet.of(n.name())
                        + "' is not one of the request's tools");
            }
            case Required r -> {
                ArrayNode anyOf = JsonBody.JSON.createArrayNode();
                for (JsonNode t : tools) {
                    ObjectNode call = anyOf.addObject().put("type", "object").put("additionalProperties", false);
                    ObjectNode props = call.putObject("properties");
                    props.putObject("name").put("const", t.path("function").path("name").asText());
                    props.set("parameters", parameters(t));
                    call.putArray("required").add("name").add("parameters");
                }
                ObjectNode schema = JsonBody.JSON.createObjectNode().put("type", "array").put("minItems", 1);
                schema.putObject("items").set("anyOf", anyOf);
                yield Optional.of(compile(schema, "tools"));
            }
        };
    }

    private static JsonNode parameters(JsonNode tool) {
        JsonNode p = tool.path("function").path("parameters");
        if (p.isObject()) return p;
        ObjectNode empty = JsonBody.JSON.createObjectNode().put("type", "object").put("additionalProperties", false);
        empty.putObject("properties");
        return empty;
    }

    private static Grammar compile(JsonNode schema, String param) {
        try {
            return Grammar.jsonSchema(schema, false);
        } catch (dev.vane.engine.constrain.AmbiguousGrammarException e) {
            throw ApiError.invalid(param, e.getMessage());
        } catch (SchemaException e) {
            String at = param + (e.path().isEmpty() ? "" : "." + e.path());
            throw ApiError.invalid(param, "tool parameters the constraint cannot express, at " + at + ": " + e.getMessage());
        }
    }
}
