package dev.vane.engine.gguf;

/** A GGUF file that cannot be read or used; the message names the file and, where known, the tensor or key. */
public final class GgufException extends RuntimeException {
    public GgufException(String message) { super(message); }
    public GgufException(String message, Throwable cause) { super(message, cause); }
}
