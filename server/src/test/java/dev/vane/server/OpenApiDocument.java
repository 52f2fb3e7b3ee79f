package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OpenAPI document as swagger-parser reads it, with what the tests ask of it: the routes it
 * documents, its operations' responses with their references followed, and a check of a JSON value
 * against one of its schemas (the parts of OpenAPI 3.0's schema object the document uses: types,
 * {@code nullable}, {@code enum}, bounds, {@code pattern}, {@code required}, {@code properties},
 * {@code additionalProperties}, {@code items}, {@code oneOf}, {@code allOf}, {@code $ref}).
 */
final class OpenApiDocument {

    private static final String SCHEMAS = "#/components/schemas/";
    private static final String RESPONSES = "#/components/responses/";
    private static final String HEADERS = "#/components/headers/";

    final OpenAPI api;
    final List<String> messages;

    private OpenApiDocument(SwaggerParseResult result) {
        this.api = result.getOpenAPI();
        this.messages = result.getMessages() == null ? List.of() : List.copyOf(result.getMessages());
    }

    /** Parses YAML or JSON text; references are left as they are ({@link #schema}, {@link #response} follow them). */
    static OpenApiDocument parse(String text) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenApiDocument(new OpenAPIV3Parser().readContents(text, null, options));
    }

    /** One operation: where it is served, its method and path template, the operation itself. */
    record Op(Route route, Operation operation) {}

    /** Every operation; an operation tagged {@code admin} is the admin listener's. */
    List<Op> operations() {
        List<Op> out = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            boolean admin = op.getTags() != null && op.getTags().contains("admin");
            out.add(new Op(new Route(admin ? Route.Listener.ADMIN : Route.Listener.PUBLIC,
                    Route.Method.valueOf(method.name()), path), op));
        }));
        return out;
    }

    Op operation(Route.Method method, String path) {
        PathItem item = api.getPaths().get(path);
        if (item == null) throw new AssertionError("the document has no path " + path);
        return operations().stream().filter(o -> o.route().method() == method && o.route().path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("the document has no " + method + " " + path));
    }

    /** A response, its reference followed. */
    ApiResponse response(ApiResponse r) {
        if (r.get$ref() == null) return r;
        String name = r.get$ref().substring(RESPONSES.length());
        return Objects.requireNonNull(api.getComponents().getResponses().get(name), r.get$ref());
    }

    /** A header, its reference followed. */
    Header header(Header h) {
        if (h.get$ref() == null) return h;
        return Objects.requireNonNull(api.getComponents().getHeaders().get(h.get$ref().substring(HEADERS.length())), h.get$ref());
    }

    /** A schema, its references followed. */
    Schema<?> schema(Schema<?> s) {
        while (s.get$ref() != null) {
            String ref = s.get$ref();
            s = Objects.requireNonNull(api.getComponents().getSchemas().get(ref.substring(SCHEMAS.length())), ref);
        }
        return s;
    }

    Schema<?> schema(String name) {
        return Objects.requireNonNull(api.getComponents().getSchemas().get(name), name);
    }

    /** Whether {@code s} is, or holds in a oneOf/allOf, a reference to the schema {@code name}. */
    boolean refersTo(Schema<?> s, String name) {
        if ((SCHEMAS + name).equals(s.get$ref())) return true;
        for (List<Schema> parts : composed(s)) for (Schema<?> p : parts) if (refersTo(p, name)) return true;
        return false;
    }

    /** The schema of {@code status}'s {@code mediaType} body for the operation, or an assertion naming what is missing. */
    Schema<?> body(Route.Method method, String path, int status, String mediaType) {
        Op op = operation(method, path);
        ApiResponse r = op.operation().getResponses().get(String.valueOf(status));
        if (r == null) throw new AssertionError(method + " " + path + " documents no " + status + " response");
        MediaType m = response(r).getContent() == null ? null : response(r).getContent().get(mediaType);
        if (m == null) throw new AssertionError(method + " " + path + " documents no " + mediaType + " body for " + status);
        return m.getSchema();
    }

    /** Checks that {@code value} satisfies {@code schema}; the error names the value's path ({@code $.choices[0].text}). */
    void check(JsonNode value, Schema<?> schema, String at) {
        List<String> problems = problems(value, schema, at);
        if (!problems.isEmpty()) throw new AssertionError(String.join("\n", problems) + "\nin " + value);
    }

    private List<String> problems(JsonNode v, Schema<?> original, String at) {
        Schema<?> s = schema(original);
        List<String> out = new ArrayList<>();
        if (v.isNull()) {
            boolean nullable = Boolean.TRUE.equals(s.getNullable()) || Boolean.TRUE.equals(original.getNullable());
            if (!nullable) out.add(at + ": null where the document allows none");
            return out;
        }
        if (s.getAllOf() != null) for (Schema<?> part : s.getAllOf()) out.addAll(problems(v, part, at));
        if (s.getOneOf() != null) {
            List<List<String>> each = new ArrayList<>();
            for (Schema<?> part : s.getOneOf()) each.add(problems(v, part, at));
            long matching = each.stream().filter(List::isEmpty).count();
            if (matching != 1) out.add(at + ": matches " + matching + " of the oneOf's " + each.size() + " schemas " + each);
        }
        String type = s.getType();
        if (type != null && !hasType(v, type)) {
            out.add(at + ": " + v.getNodeType() + " where the document has " + type);
            return out;
        }
        if (s.getEnum() != null && !s.getEnum().isEmpty()
                && s.getEnum().stream().filter(Objects::nonNull).noneMatch(e -> sameValue(v, e)))
            out.add(at + ": " + v + " is not one of " + s.getEnum());
        if (v.isNumber()) bounds(v.decimalValue(), s, at, out);
        if (v.isTextual()) {
            if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(v.textValue()).find())
                out.add(at + ": '" + v.textValue() + "' does not match " + s.getPattern());
            if (s.getMinLength() != null && v.textValue().length() < s.getMinLength()) out.add(at + ": shorter than " + s.getMinLength());
            if (s.getMaxLength() != null && v.textValue().length() > s.getMaxLength()) out.add(at + ": longer than " + s.getMaxLength());
        }
        if (v.isArray()) {
            if (s.getMinItems() != null && v.size() < s.getMinItems()) out.add(at + ": fewer than " + s.getMinItems() + " items");
            if (s.getMaxItems() != null && v.size() > s.getMaxItems()) out.add(at + ": more than " + s.getMaxItems() + " items");
            if (s.getItems() != null) for (int i = 0; i < v.size(); i++) out.addAll(problems(v.get(i), s.getItems(), at + "[" + i + "]"));
        }
        if (v.isObject()) object(v, s, at, out);
        return out;
    }

    private void object(JsonNode v, Schema<?> s, String at, List<String> out) {
        if (s.getRequired() != null)
            for (String r : s.getRequired()) if (!v.has(r)) out.add(at + ": lacks the required " + r);
        Map<String, Schema> properties = s.getProperties() == null ? Map.of() : s.getProperties();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            Schema<?> p = properties.get(f.getKey());
            if (p != null) out.addAll(problems(f.getValue(), p, at + "." + f.getKey()));
            else if (s.getAdditionalProperties() instanceof Schema<?> extra) out.addAll(problems(f.getValue(), extra, at + "." + f.getKey()));
            else if (Boolean.FALSE.equals(s.getAdditionalProperties())) out.add(at + ": " + f.getKey() + " is not documented");
        }
    }

    private static void bounds(BigDecimal n, Schema<?> s, String at, List<String> out) {
        if (s.getMinimum() != null) {
            int c = n.compareTo(s.getMinimum());
            if (c < 0 || c == 0 && Boolean.TRUE.equals(s.getExclusiveMinimum())) out.add(at + ": " + n + " below the minimum " + s.getMinimum());
        }
        if (s.getMaximum() != null) {
            int c = n.compareTo(s.getMaximum());
            if (c > 0 || c == 0 && Boolean.TRUE.equals(s.getExclusiveMaximum())) out.add(at + ": " + n + " above the maximum " + s.getMaximum());
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> throw new AssertionError("a type the check does not know: " + type);
        };
    }

    private static boolean sameValue(JsonNode v, Object e) {
        if (e instanceof Boolean b) return v.isBoolean() && v.booleanValue() == b;
        if (e instanceof Number n) return v.isNumber() && v.decimalValue().compareTo(new BigDecimal(n.toString())) == 0;
        return v.isTextual() && v.textValue().equals(e.toString());
    }

    @SuppressWarnings("rawtypes")
    private static List<List<Schema>> composed(Schema<?> s) {
        List<List<Schema>> out = new ArrayList<>();
        if (s.getOneOf() != null) out.add(s.getOneOf());
        if (s.getAllOf() != null) out.add(s.getAllOf());
        if (s.getAnyOf() != null) out.add(s.getAnyOf());
        return out;
    }

    /** A schema's enum, each value as text ({@code null} for JSON null). */
    static List<String> enumValues(Schema<?> s) {
        return s.getEnum() == null ? List.of() : s.getEnum().stream().map(String::valueOf).toList();
    }

    /** The property names of a component schema. */
    Set<String> properties(String schema) {
        Map<String, Schema> p = schema(schema).getProperties();
        return p == null ? Set.of() : new LinkedHashSet<>(p.keySet());
    }
}
