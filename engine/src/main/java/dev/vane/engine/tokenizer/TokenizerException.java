package dev.vane.engine.tokenizer;

/** Thrown when a tokenizer cannot be loaded or used; the message names the offending file where there is one. */
public final class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the file involved */
    public TokenizerException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the file involved
     * @param cause the underlying error
     */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
