package dev.vane.engine.constrain;

/**
 * A JSON schema that structured output cannot serve: malformed, unsatisfiable, or using a keyword
 * outside the supported subset. {@link #path()} names the offending place, dotted from the schema's
 * root (e.g. {@code properties.age.minimum}, {@code anyOf[1].type}; empty for the root itself).
 */
public final class SchemaException extends RuntimeException {
    private final String path;

    public SchemaException(String path, String message) {
        super(message);
        this.path = path;
    }

    /** Where in the schema, dotted from its root; empty for the root. */
    public String path() {
        return path;
    }
}
