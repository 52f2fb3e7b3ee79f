package dev.vane.engine.weights;

/** A checkpoint that cannot be loaded; the message names the file and, where known, the tensor. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) { super(message); }
    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
