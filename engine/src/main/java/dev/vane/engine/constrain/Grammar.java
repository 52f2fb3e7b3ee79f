package dev.vane.engine.constrain;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a constrained sequence may generate: one JSON value, compiled from a JSON schema
 * ({@link #jsonSchema}) or any JSON object ({@link #jsonObject}), read byte by byte from
 * {@link #initial()}. Immutable and shared by any number of sequences.
 *
 * <p>The text is compact: no whitespace outside strings; object properties in the schema's order.
 * See {@link JsonSchemaCompiler} for the supported schema subset.
 */
public final class Grammar {
    private static final Grammar JSON_OBJECT = new Grammar(Node.Any.object(0), "json_object");
    private static final int CACHED = 64;
    /** Recently compiled schemas: a repeated schema reuses its nodes, and so the masks cached for them. */
    private static final Map<String, Grammar> RECENT = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Grammar> eldest) {
            return size() > CACHED;
        }
    };

    private final Node root;
    private final String description;
    private final MatchState initial;

    private Grammar(Node root, String description) {
        this.root = root;
        this.description = description;
        Sink out = new Sink();
        root.enter(Stack.EMPTY, out);
        this.initial = out.result();
    }

    /** Any JSON object ({@code response_format: {"type": "json_object"}}). */
    public static Grammar jsonObject() {
        return JSON_OBJECT;
    }

    /**
     * The values valid against {@code schema} that the matcher writes (see {@link JsonSchemaCompiler}).
     *
     * @param strict OpenAI's strict mode: every object must list all its properties as required and
     *               set {@code additionalProperties: false}
     * @throws SchemaException naming the offending keyword's place when the schema is malformed,
     *         unsatisfiable or outside the supported subset
     */
    public static Grammar jsonSchema(JsonNode schema, boolean strict) {
        String key = (strict ? "strict:" : "loose:") + schema;
        synchronized (RECENT) {
            Grammar g = RECENT.get(key);
            if (g != null) return g;
        }
        Grammar g = new Grammar(JsonSchemaCompiler.compile(schema, strict), "json_schema");
        synchronized (RECENT) {
            RECENT.put(key, g);
        }
        return g;
    }

    /** The state before the first byte. */
    public MatchState initial() {
        return initial;
    }

    /**
     * The length in bytes of the shortest document (as the search of {@link ConstrainedVocabulary#closingBytes}
     * finds it): a token budget at least this large ends every constrained sequence with a complete
     * document ({@link TokenConstraint#mask(float[], int)}).
     */
    public int shortestDocumentBytes() {
        return Closing.bytes(initial);
    }

    @Override
    public String toString() {
        return description + " " + root;
    }
}
