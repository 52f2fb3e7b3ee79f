package dev.vane.engine.constrain;

/**
 * A constrained text reached a prefix that more than {@code max} readings of the grammar admit at
 * once (overlapping {@code anyOf} alternatives, nested): following them all would cost every later
 * step too much, so the sequence ends instead. Its message is fit for the client.
 */
public final class AmbiguousGrammarException extends IllegalStateException {
    public AmbiguousGrammarException(int max) {
        super("the response format's schema reads this text in more than " + max
                + " ways at once (overlapping anyOf alternatives); make the alternatives start differently");
    }
}
