package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.text.Snippet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Typed, validated access to the fields of one JSON object of a request. Every error is a 400
 * whose {@code param} is the field's full name ({@code "temperature"}, {@code "vane.trace"},
 * {@code "messages[2].role"}). A JSON {@code null} reads as absent.
 */
final class Fields {

    private final ObjectNode node;
    private final String prefix;

    Fields(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    static Fields of(ObjectNode node) {
        return new Fields(node, "");
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    /** The full name of a field, for error messages. */
    String param(String name) {
        return prefix + name;
    }

    /** Rejects any field not in {@code known}. */
    Fields allowOnly(Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                String name = Snippet.of(param(f));
                throw ApiError.invalid(name, "unrecognized request argument: '" + name + "'");
            }
        }
        return this;
    }

    /** Whether the key is in the object at all (JSON null included). */
    boolean present(String name) {
        return node.has(name);
    }

    /** The underlying object. */
    ObjectNode node() {
        return node;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    /** The raw value, or null when absent or JSON null. */
    JsonNode raw(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    Optional<String> string(String name) {
        JsonNode v = raw(name);
        if (v == null) return Optional.empty();
        if (!v.isTextual()) throw ApiError.invalid(param(name), param(name) + " must be a string");
        return Optional.of(v.textValue());
    }

    Optional<Boolean> bool(String name) {
        JsonNode v = raw(name);
        if (v == null) return Optional.empty();
        if (!v.isBoolean()) throw ApiError.invalid(param(name), param(name) + " must be a boolean");
        return Optional.of(v.booleanValue());
    }

    OptionalInt integer(String name) {
        JsonNode v = raw(name);
        if (v == null) return OptionalInt.empty();
        if (!v.isIntegralNumber() || !v.canConvertToInt())
            throw ApiError.invalid(param(name), param(name) + " must be an integer");
        return OptionalInt.of(v.intValue());
    }

    /** An integer within {@code [min, max]}. */
    OptionalInt integer(String name, int min, int max) {
        OptionalInt v = integer(name);
        if (v.isPresent() && (v.getAsInt() < min || v.getAsInt() > max))
            throw ApiError.invalid(param(name), param(name) + " must be in [" + min + ", " + max + "], got " + v.getAsInt());
        return v;
    }

    OptionalLong longInteger(String name) {
        JsonNode v = raw(name);
        if (v == null) return OptionalLong.empty();
        if (!v.isIntegralNumber() || !v.canConvertToLong())
            throw ApiError.invalid(param(name), param(name) + " must be an integer");
        return OptionalLong.of(v.longValue());
    }

    Optional<Double> number(String name) {
        JsonNode v = raw(name);
        if (v == null) return Optional.empty();
        if (!v.isNumber()) throw ApiError.invalid(param(name), param(name) + " must be a number");
        return Optional.of(v.doubleValue());
    }

    /** A nested object, or empty when absent. */
    Optional<Fields> object(String name) {
        JsonNode v = raw(name);
        if (v == null) return Optional.empty();
        if (!v.isObject()) throw ApiError.invalid(param(name), param(name) + " must be an object");
        return Optional.of(new Fields((ObjectNode) v, param(name) + "."));
    }

    /** An array, or empty when absent. */
    Optional<List<JsonNode>> array(String name) {
        JsonNode v = raw(name);
        if (v == null) return Optional.empty();
        if (!v.isArray()) throw ApiError.invalid(param(name), param(name) + " must be an array");
        List<JsonNode> out = new ArrayList<>(v.size());
        v.forEach(out::add);
        return Optional.of(out);
    }

    /** A string or an array of strings ({@code stop}). */
    Optional<List<String>> strings(String name) {
        JsonNode v = raw(name);
        if (v == null) return Optional.empty();
        List<String> out = new ArrayList<>();
        if (v.isTextual()) out.add(v.textValue());
        else if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isTextual()) throw ApiError.invalid(param(name), param(name) + " must be a string or an array of strings");
                out.add(e.textValue());
            }
        } else throw ApiError.invalid(param(name), param(name) + " must be a string or an array of strings");
        return Optional.of(out);
    }
}
