package dev.vane.steering.control;

import java.util.Optional;

/**
 * A steering or artifact operation refused because of what the caller asked for: a value that is
 * invalid, a name that does not exist, or a change that conflicts with the current state. The
 * message says what is wrong; the field, when there is one, names the input at fault
 * ({@code name}, {@code manifest.fingerprint}, {@code examples[2].cluster}). A transport maps
 * {@link #problem()} to its own codes (HTTP 400, 404, 409).
 */
public final class ControlException extends RuntimeException {

    /** What kind of refusal this is. */
    public enum Problem { INVALID, NOT_FOUND, CONFLICT }

    private final Problem problem;
    private final Optional<String> field;

    private ControlException(Problem problem, Optional<String> field, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.field = field;
    }

    /** An invalid value of {@code field}. */
    public static ControlException invalid(String field, String message) {
        return new ControlException(Problem.INVALID, Optional.of(field), message, null);
    }

    /** An invalid upload as a whole (a file that cannot be read as what it claims to be). */
    public static ControlException invalidContent(String message, Throwable cause) {
        return new ControlException(Problem.INVALID, Optional.empty(), message, cause);
    }

    /** Nothing is stored under the name given in {@code field}. */
    public static ControlException notFound(String field, String message) {
        return new ControlException(Problem.NOT_FOUND, Optional.of(field), message, null);
    }

    /** The change conflicts with what exists (a name taken, an artifact in use). */
    public static ControlException conflict(String field, String message) {
        return new ControlException(Problem.CONFLICT, Optional.of(field), message, null);
    }

    public Problem problem() { return problem; }

    /** The input at fault; empty when the error is about an upload's content as a whole. */
    public Optional<String> field() { return field; }
}
