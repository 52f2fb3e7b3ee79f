package dev.vane.steering.plan;

/**
 * An intervention that cannot be planned: bad parameter, unknown artifact, layer out of range,
 * artifact built for another model. {@link #field()} names the offending field relative to the
 * intervention ({@code layers}, {@code artifact}, ...), so that the server can report the full
 * path (for example {@code vane.interventions[1].layers}).
 */
public final class PlanException extends RuntimeException {

    private final String field;
    private final boolean notFound;

    public PlanException(String field, String message) {
        this(field, message, false);
    }

    private PlanException(String field, String message, boolean notFound) {
        super(message);
        this.field = field;
        this.notFound = notFound;
    }

    /** A request names an artifact or a profile that does not exist. */
    public static PlanException notFound(String field, String message) {
        return new PlanException(field, message, true);
    }

    public String field() { return field; }

    /** Whether the request named something that does not exist (rather than something invalid). */
    public boolean notFound() { return notFound; }

    /** The same failure, its field prefixed with the intervention's path ({@code vane.interventions[1]}). */
    public PlanException under(String path) {
        return new PlanException(path + "." + field, getMessage(), notFound);
    }
}
