package dev.vane.engine.constrain;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON schema to the {@link Node}s the matcher reads. The subset:
 * <ul>
 *   <li>{@code type}: {@code object}, {@code array}, {@code string}, {@code number}, {@code integer},
 *       {@code boolean}, {@code null}, or an array of them (any of those values). Without {@code type},
 *       the type is read from the other keywords (e.g. {@code properties}: an object); with none, any value.</li>
 *   <li>objects: {@code properties} (written in the schema's order), {@code required} (the others may be
 *       left out), {@code additionalProperties} ({@code false}; or, without {@code properties}, a schema
 *       or {@code true}: an object of any keys, each value valid against it; with {@code properties},
 *       only the listed ones are written). Keys of such free objects are not checked for uniqueness;
 *       {@code propertyNames} (a string schema), {@code minProperties} and {@code maxProperties} bound
 *       them (on objects with listed properties, only where the listed and required ones meet them).</li>
 *   <li>arrays: {@code items}, {@code minItems}, {@code maxItems}.</li>
 *   <li>strings: {@code minLength}, {@code maxLength} (code points); any JSON string otherwise, escapes
 *       included, except {@code \\u} escapes of surrogates.</li>
 *   <li>numbers and integers: {@code minimum}, {@code maximum}, {@code exclusiveMinimum},
 *       {@code exclusiveMaximum} (numbers). Written without exponent, at most 15 integer digits and 6
 *       fraction digits (more if a bound has more); a bound that no such number meets is a
 *       {@link SchemaException}. {@code format} on numbers is ignored.</li>
 *   <li>{@code enum}, {@code const} (the values of the schema's {@code type} only), {@code anyOf},
 *       {@code allOf} of one schema, {@code $ref} to {@code #/...} ({@code $defs}, {@code definitions},
 *       {@code #} itself), recursive ones included as long as each recursion has a way out (an
 *       optional property, an array that may be empty, another {@code anyOf} alternative): a
 *       recursion that never ends is a {@link SchemaException} naming the {@code $ref}.</li>
 *   <li>ignored: {@code title}, {@code description}, {@code default}, {@code examples},
 *       {@code $schema}, {@code $id}, {@code $comment}, {@code deprecated}, {@code readOnly},
 *       {@code writeOnly}, {@code x-...}.</li>
 * </ul>
 * Any other keyword ({@code pattern}, {@code format} on strings, {@code oneOf}, {@code not},
 * {@code patternProperties}, {@code uniqueItems}, {@code prefixItems}, ...) is a
 * {@link SchemaException} naming it. Strict mode (OpenAI's {@code strict: true}) also requires every
 * object to have {@code additionalProperties: false} and list all its properties in {@code required}.
 */
final class JsonSchemaCompiler {
    private static final int MAX_NESTING = 64;
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default",
            "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties", "items",
            "minItems", "maxItems", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "minLength", "maxLength", "anyOf", "allOf", "$ref", "format", "propertyNames", "minProperties", "maxProperties");
    private static final List<String> TYPES = List.of("object", "array", "string", "number", "integer", "boolean", "null");
    private static final Map<String, String> WHY = Map.of(
            "pattern", "regular-expression patterns are not supported",
            "oneOf", "oneOf is not supported (use anyOf)",
            "patternProperties", "patternProperties is not supported (list properties, or give additionalProperties a schema)",
            "uniqueItems", "uniqueItems is not supported",
            "prefixItems", "prefixItems (tuples) is not supported",
            "not", "not is not supported",
            "multipleOf", "multipleOf is not supported");

    private final JsonNode root;
    private final boolean strict;
    private final Map<String, Node> refs = new HashMap<>();
    private final Set<String> resolving = new HashSet<>();
    /** The recursive references met, by the reference they stand for. */
    private final Map<String, Node.Ref> recursive = new HashMap<>();

    private JsonSchemaCompiler(JsonNode root, boolean strict) {
        this.root = root;
        this.strict = strict;
    }

    static Node compile(JsonNode schema, boolean strict) {
        if (schema == null || !schema.isObject()) throw new SchemaException("", "the schema must be a JSON object");
        JsonSchemaCompiler c = new JsonSchemaCompiler(schema, strict);
        Node root = c.node(schema, "", 0);
        if (!c.recursive.isEmpty()) {
            // every value must be able to end: a recursion needs a way out (an optional property, an
            // array that may be empty, another alternative), or generation could never finish
            Set<Node> endless = Node.endless(Node.reachable(root));
            for (Node.Ref r : c.recursive.values())
                if (endless.contains(r))
                    throw new SchemaException(r.path, "recursive $ref '" + r.ref + "' never ends: each of its values"
                            + " requires another (make the recursion optional)");
            for (Node.Ref r : c.recursive.values())
                if (readsNothingBefore(r.target, r, new java.util.HashSet<>()))
                    throw new SchemaException(r.path, "recursive $ref '" + r.ref + "' refers to itself before any byte of"
                            + " the value is read (an anyOf alternative or a $ref that is the value itself)");
        }
        return root;
    }

    /**
     * Whether {@code from} leads back to {@code ref} through references and alternatives alone,
     * that is without reading a byte: entering such a value would enter itself forever.
     */
    private static boolean readsNothingBefore(Node from, Node.Ref ref, Set<Node> seen) {
        if (from == ref) return true;
        if (!seen.add(from)) return false;
        if (from instanceof Node.Ref r) return r.target != null && readsNothingBefore(r.target, ref, seen);
        if (from instanceof Node.Choice c) {
            for (Node n : c.alternatives) if (readsNothingBefore(n, ref, seen)) return true;
        }
        return false;
    }

    private static String at(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private Node node(JsonNode s, String path, int depth) {
        if (depth > MAX_NESTING) throw new SchemaException(path, "the schema nests more than " + MAX_NESTING + " levels deep");
        if (s.isBoolean()) {
            if (s.booleanValue()) return Node.Any.value(0);
            throw new SchemaException(path, "the schema false admits no value");
        }
        if (!s.isObject()) throw new SchemaException(path, "a schema must be an object or a boolean, got " + kind(s));
        Set<String> keywords = new LinkedHashSet<>();
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (ANNOTATIONS.contains(k) || k.startsWith("x-")) continue;
            if (!SUPPORTED.contains(k))
                throw new SchemaException(at(path, k), "unsupported keyword '" + k + "': "
                        + WHY.getOrDefault(k, "structured output does not support it"));
            keywords.add(k);
        }
        if (keywords.contains("$ref")) {
            only(keywords, "$ref", path);
            return ref(s.get("$ref"), at(path, "$ref"), depth);
        }
        if (keywords.contains("allOf")) {
            only(keywords, "allOf", path);
            JsonNode all = s.get("allOf");
            if (!all.isArray() || all.size() != 1)
                throw new SchemaException(at(path, "allOf"), "allOf is supported with exactly one schema");
            return node(all.get(0), at(path, "allOf") + "[0]", depth + 1);
        }
        if (keywords.contains("anyOf")) {
            only(keywords, "anyOf", path);
            JsonNode any = s.get("anyOf");
            if (!any.isArray() || any.isEmpty())
                throw new SchemaException(at(path, "anyOf"), "anyOf must be a non-empty array of schemas");
            List<Node> alternatives = new ArrayList<>();
            for (int i = 0; i < any.size(); i++) alternatives.add(node(any.get(i), at(path, "anyOf") + "[" + i + "]", depth + 1));
            return Node.Choice.of(alternatives);
        }
        List<String> types = types(s, path, keywords);
        if (keywords.contains("format") && !types.stream().allMatch(t -> t.equals("number") || t.equals("integer")))
            throw new SchemaException(at(path, "format"), "unsupported keyword 'format' (" + Json.write(s.get("format"))
                    + "): string formats are not supported");
        if (keywords.contains("enum") || keywords.contains("const")) return literals(s, path, types);
        if (types.isEmpty()) return Node.Any.value(0);
        List<Node> alternatives = new ArrayList<>();
        for (String t : types) {
            alternatives.add(switch (t) {
                case "object" -> object(s, path, depth);
                case "array" -> array(s, path, depth);
                case "string" -> string(s, path);
                case "number", "integer" -> number(s, path, t.equals("integer"));
                case "boolean" -> Node.Lit.BOOLEAN;
                case "null" -> Node.Lit.NULL;
                default -> throw new IllegalStateException(t);
            });
        }
        return Node.Choice.of(alternatives);
    }

    private static void only(Set<String> keywords, String keyword, String path) {
        for (String k : keywords)
            if (!k.equals(keyword))
                throw new SchemaException(at(path, k), "'" + k + "' alongside " + keyword + " is not supported (move it into the "
                        + (keyword.equals("$ref") ? "referenced schema" : keyword + " schemas") + ")");
    }

    private static String kind(JsonNode n) {
        return n.isObject() ? "an object" : n.isArray() ? "an array" : n.isTextual() ? "a string" : n.isNumber() ? "a number"
                : n.isBoolean() ? "a boolean" : "null";
    }

    private Node ref(JsonNode ref, String path, int depth) {
        if (!ref.isTextual()) throw new SchemaException(path, "$ref must be a string");
        String r = ref.textValue();
        if (!r.startsWith("#"))
            throw new SchemaException(path, "only references within the schema ('#/$defs/...') are supported, got '" + r + "'");
        Node done = refs.get(r);
        if (done != null) return done;
        if (resolving.contains(r)) return recursive.computeIfAbsent(r, k -> new Node.Ref(r, path));
        JsonNode target;
        try {
            target = r.equals("#") ? root : root.at(JsonPointer.compile(r.substring(1)));
        } catch (IllegalArgumentException e) {
            throw new SchemaException(path, "$ref '" + r + "' is not a JSON pointer");
        }
        if (target == null || target.isMissingNode()) throw new SchemaException(path, "$ref '" + r + "' points to nothing");
        resolving.add(r);
        String targetPath = r.length() <= 2 ? "" : r.substring(2).replace('/', '.').replace("~1", "/").replace("~0", "~");
        Node n = node(target, targetPath, depth + 1);
        resolving.remove(r);
        Node.Ref back = recursive.get(r);
        if (back != null) back.target = n;
        refs.put(r, n);
        return n;
    }

    /** The schema's types: its {@code type}, else read from its keywords (none: any value). */
    private static List<String> types(JsonNode s, String path, Set<String> keywords) {
        JsonNode type = s.get("type");
        List<String> out = new ArrayList<>();
        if (type != null) {
            List<JsonNode> names = new ArrayList<>();
            if (type.isArray()) type.forEach(names::add);
            else names.add(type);
            if (names.isEmpty()) throw new SchemaException(at(path, "type"), "type must not be an empty array");
            for (JsonNode n : names) {
                if (!n.isTextual() || !TYPES.contains(n.textValue()))
                    throw new SchemaException(at(path, "type"), "unknown type " + Json.write(n) + " (expected one of " + String.join(", ", TYPES) + ")");
                if (!out.contains(n.textValue())) out.add(n.textValue());
            }
            if (out.contains("number")) out.remove("integer");
            return out;
        }
        if (keywords.contains("enum") || keywords.contains("const")) return out;
        if (keywords.contains("properties") || keywords.contains("required") || keywords.contains("additionalProperties")
                || keywords.contains("propertyNames") || keywords.contains("minProperties") || keywords.contains("maxProperties")) out.add("object");
        else if (keywords.contains("items") || keywords.contains("minItems") || keywords.contains("maxItems")) out.add("array");
        else if (keywords.contains("minLength") || keywords.contains("maxLength")) out.add("string");
        else if (keywords.contains("minimum") || keywords.contains("maximum") || keywords.contains("exclusiveMinimum")
                || keywords.contains("exclusiveMaximum")) out.add("number");
        return out;
    }

    private Node literals(JsonNode s, String path, List<String> types) {
        List<JsonNode> values = new ArrayList<>();
        String where;
        if (s.has("const")) {
            where = at(path, "const");
            if (s.has("enum")) throw new SchemaException(where, "const alongside enum is not supported");
            values.add(s.get("const"));
        } else {
            where = at(path, "enum");
            JsonNode e = s.get("enum");
            if (!e.isArray() || e.isEmpty()) throw new SchemaException(where, "enum must be a non-empty array");
            e.forEach(values::add);
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode v : values) if (types.isEmpty() || types.stream().anyMatch(t -> isOfType(v, t))) texts.add(Json.write(v));
        if (texts.isEmpty())
            throw new SchemaException(where, "no " + where.substring(where.lastIndexOf('.') + 1) + " value is of type " + String.join(" or ", types));
        return new Node.Lit(texts);
    }

    private static boolean isOfType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
            case "boolean" -> v.isBoolean();
            default -> v.isNull();
        };
    }

    private Node object(JsonNode s, String path, int depth) {
        JsonNode props = s.get("properties");
        if (props != null && !props.isObject()) throw new SchemaException(at(path, "properties"), "properties must be an object");
        JsonNode additional = s.get("additionalProperties");
        if (additional != null && !additional.isBoolean() && !additional.isObject())
            throw new SchemaException(at(path, "additionalProperties"), "additionalProperties must be a boolean or a schema");
        boolean closed = additional != null && additional.isBoolean() && !additional.booleanValue();
        List<String> required = new ArrayList<>();
        JsonNode req = s.get("required");
        if (req != null) {
            if (!req.isArray()) throw new SchemaException(at(path, "required"), "required must be an array of property names");
            for (JsonNode r : req) {
                if (!r.isTextual()) throw new SchemaException(at(path, "required"), "required must be an array of property names");
                if (!required.contains(r.textValue())) required.add(r.textValue());
            }
        }
        List<String> names = new ArrayList<>();
        if (props != null) props.fieldNames().forEachRemaining(names::add);
        if (strict) {
            if (!closed)
                throw new SchemaException(at(path, "additionalProperties"), "strict mode requires additionalProperties: false on every object");
            for (String n : names)
                if (!required.contains(n))
                    throw new SchemaException(at(path, "required"), "strict mode requires every property to be required; '" + n + "' is not");
        }
        for (String r : required)
            if (!names.contains(r) && closed)
                throw new SchemaException(at(path, "required"), "required property '" + r + "' is not in properties and additionalProperties is false");
        Node extra = additional == null || additional.isBoolean() ? Node.Any.value(0) : node(additional, at(path, "additionalProperties"), depth + 1);
        int minProps = count(s, "minProperties", path);
        int maxProps = s.has("maxProperties") ? count(s, "maxProperties", path) : -1;
        if (maxProps >= 0 && minProps > maxProps)
            throw new SchemaException(at(path, "minProperties"), "minProperties (" + minProps + ") is greater than maxProperties (" + maxProps + ")");
        Node key = Node.Str.ANY;
        if (s.has("propertyNames")) {
            key = node(s.get("propertyNames"), at(path, "propertyNames"), depth + 1);
            if (!isStrings(key))
                throw new SchemaException(at(path, "propertyNames"), "propertyNames must admit strings only (type string, minLength, maxLength, enum)");
        }
        if (names.isEmpty() && required.isEmpty() && !closed) return new Node.Obj(extra, key, minProps, maxProps);
        int listed = names.size();
        for (String r : required) if (!names.contains(r)) listed++;
        if (minProps > (int) required.size())
            throw new SchemaException(at(path, "minProperties"), "minProperties beyond the required properties (" + required.size()
                    + ") is supported only on objects without listed properties");
        if (maxProps >= 0 && maxProps < listed)
            throw new SchemaException(at(path, "maxProperties"), "maxProperties below the number of listed properties (" + listed
                    + ") is supported only on objects without listed properties");
        List<Node> values = new ArrayList<>();
        List<Boolean> isRequired = new ArrayList<>();
        for (String n : names) {
            values.add(node(props.get(n), at(at(path, "properties"), n), depth + 1));
            isRequired.add(required.contains(n));
        }
        for (String r : required) {
            if (names.contains(r)) continue;
            names.add(r);
            values.add(extra);
            isRequired.add(true);
        }
        if (key != Node.Str.ANY)
            for (String n : names) {
                Sink out = new Sink();
                key.enter(Stack.EMPTY, out);
                MatchState st = out.result().next(Json.quote(n).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (st == null || !st.accepting())
                    throw new SchemaException(at(path, "propertyNames"), "property '" + n + "' is not a valid property name by propertyNames");
            }
        return new Node.Obj(names, values, isRequired);
    }

    /** Whether every value {@code n} admits is a string. */
    private static boolean isStrings(Node n) {
        if (n instanceof Node.Str) return true;
        if (n instanceof Node.Lit l) {
            for (byte[] t : l.texts) if (t[0] != '"') return false;
            return true;
        }
        if (n instanceof Node.Choice c) {
            for (Node a : c.alternatives) if (!isStrings(a)) return false;
            return true;
        }
        return false;
    }

    private Node array(JsonNode s, String path, int depth) {
        int min = count(s, "minItems", path);
        int max = s.has("maxItems") ? count(s, "maxItems", path) : -1;
        if (max >= 0 && min > max)
            throw new SchemaException(at(path, "minItems"), "minItems (" + min + ") is greater than maxItems (" + max + ")");
        JsonNode items = s.get("items");
        Node item;
        if (items == null || (items.isBoolean() && items.booleanValue())) item = Node.Any.value(0);
        else if (items.isBoolean()) {
            if (min > 0) throw new SchemaException(at(path, "items"), "items false admits no item but minItems is " + min);
            item = Node.Any.value(0);
            max = 0;
        } else if (items.isObject()) item = node(items, at(path, "items"), depth + 1);
        else throw new SchemaException(at(path, "items"), "items must be a schema (tuples, an array of schemas, are not supported)");
        return new Node.Arr(item, min, max);
    }

    private static Node string(JsonNode s, String path) {
        int min = count(s, "minLength", path);
        int max = s.has("maxLength") ? count(s, "maxLength", path) : -1;
        if (max >= 0 && min > max)
            throw new SchemaException(at(path, "minLength"), "minLength (" + min + ") is greater than maxLength (" + max + ")");
        return Node.Str.of(min, max);
    }

    private static int count(JsonNode s, String key, String path) {
        JsonNode n = s.get(key);
        if (n == null) return 0;
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0)
            throw new SchemaException(at(path, key), key + " must be a non-negative integer, got " + Json.write(n));
        return n.intValue();
    }

    private static Node number(JsonNode s, String path, boolean integer) {
        BigDecimal min = bound(s, "minimum", path);
        BigDecimal exMin = bound(s, "exclusiveMinimum", path);
        BigDecimal max = bound(s, "maximum", path);
        BigDecimal exMax = bound(s, "exclusiveMaximum", path);
        BigDecimal lo = min;
        boolean loEx = false;
        if (exMin != null && (lo == null || exMin.compareTo(lo) >= 0)) {
            lo = exMin;
            loEx = true;
        }
        BigDecimal hi = max;
        boolean hiEx = false;
        if (exMax != null && (hi == null || exMax.compareTo(hi) <= 0)) {
            hi = exMax;
            hiEx = true;
        }
        String loKey = at(path, loEx ? "exclusiveMinimum" : "minimum");
        String hiKey = loEx || hiEx ? (hiEx ? "exclusiveMaximum" : "maximum") : "maximum";
        if (lo != null && hi != null && (lo.compareTo(hi) > 0 || (lo.compareTo(hi) == 0 && (loEx || hiEx))))
            throw new SchemaException(loKey, (loEx ? "exclusiveMinimum" : "minimum") + " (" + lo.toPlainString() + ") leaves no value below "
                    + hiKey + " (" + hi.toPlainString() + ")");
        Node.Num n = Node.Num.of(integer, lo, loEx, hi, hiEx);
        if (!n.feasible(""))
            throw new SchemaException(lo != null ? loKey : at(path, hiKey), "no " + (integer ? "integer" : "number")
                    + " within the bounds can be written (at most " + n.intDigits + " integer digits"
                    + (integer ? "" : " and " + n.fracDigits + " fraction digits") + ", no exponent)");
        return n;
    }

    private static BigDecimal bound(JsonNode s, String key, String path) {
        JsonNode n = s.get(key);
        if (n == null) return null;
        if (n.isBoolean() && key.startsWith("exclusive"))
            throw new SchemaException(at(path, key), "a boolean " + key + " (draft 4) is not supported; give the bound as a number");
        if (!n.isNumber()) throw new SchemaException(at(path, key), key + " must be a number, got " + Json.write(n));
        return n.decimalValue();
    }
}
