package dev.vane.steering.plan;

/**
 * An intervention that cannot be planned: bad parameter, unknown artifact, layer out of range,
 * artifact built for another model. {@link #field()} names the offending field relative to the
 * intervention ({@code layers}, {@code artifact}, ...), so that the server can report the full
 * path (for example {@code vane.interventions[1].layers}).
 */
public final class PlanException extends RuntimeException {

    private final String field;

    public PlanException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() { return field; }
}
