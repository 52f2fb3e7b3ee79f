package dev.vane.steering.artifact;

/**
 * An artifact that cannot be read, written, named or used with the loaded model. The message
 * names the artifact (or file) and the offending field, so an operator can fix it without a
 * debugger.
 */
public final class ArtifactException extends RuntimeException {
    public ArtifactException(String message) { super(message); }
    public ArtifactException(String message, Throwable cause) { super(message, cause); }
}
