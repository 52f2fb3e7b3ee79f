package dev.vane.engine.generate;

import java.util.Objects;

/**
 * A request's sampling parameters are out of range. {@link #field()} names the offending request field
 * in OpenAI snake_case ({@code "temperature"}, {@code "top_p"}, {@code "max_tokens"}, ...) so that the
 * server can report it as the error's {@code param}.
 */
public final class InvalidSamplingParamsException extends IllegalArgumentException {
    private final String field;

    public InvalidSamplingParamsException(String field, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.field = Objects.requireNonNull(field, "field");
    }

    /** The OpenAI-style snake_case name of the invalid field, e.g. {@code "top_p"}. */
    public String field() {
        return field;
    }
}
