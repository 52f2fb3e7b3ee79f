package dev.vane.engine.tokenizer;

/**
 * Thrown when a chat template cannot be compiled or rendered. A template's own
 * {@code raise_exception(msg)} call surfaces as this exception with exactly {@code msg} as its message.
 */
public final class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message the error message */
    public ChatTemplateException(String message) {
        super(message);
    }

    /**
     * @param message the error message
     * @param cause the underlying error
     */
    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
