package dev.vane.lab.tokenizer;

/** Thrown when a tokenizer cannot be trained from the given input: a missing or unreadable file, an empty corpus. */
public final class TokenizerTrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the file involved where there is one */
    public TokenizerTrainingException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the file involved where there is one
     * @param cause the underlying error
     */
    public TokenizerTrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
