package dev.vane.cli;

import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;

import java.util.List;

/**
 * Range checks of flag values, each error naming the flag ({@code --prompts: must be >= 1, got 0});
 * thrown inside {@link Leaf#options}, they are usage errors.
 */
final class Checks {

    private Checks() {}

    static int atLeast(String flag, int value, int min) {
        if (value < min) throw new IllegalArgumentException(flag + ": must be >= " + min + ", got " + value);
        return value;
    }

    /** Strictly between 0 and 1. */
    static double fraction(String flag, double value) {
        if (!(value > 0 && value < 1)) throw new IllegalArgumentException(flag + ": must be in (0, 1), got " + value);
        return value;
    }

    static double positive(String flag, double value) {
        if (!(value > 0)) throw new IllegalArgumentException(flag + ": must be > 0, got " + value);
        return value;
    }

    /** An artifact name, checked against the registry's naming rule. */
    static String name(String flag, String value) {
        try {
            return ArtifactRegistry.validateName(value);
        } catch (ArtifactException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
    }

    /** {@code a|b|c}: phrases taken verbatim, none empty. */
    static List<String> phrases(String flag, String value) {
        List<String> out = List.of(value.split("\\|", -1));
        if (out.stream().anyMatch(String::isEmpty))
            throw new IllegalArgumentException(flag + ": empty phrase in '" + value + "' (separate phrases with '|')");
        return out;
    }

    /** Exactly one of two alternative flags given, such as {@code --vector NAME} and {@code --gact NAME}. */
    static void exactlyOne(String a, boolean hasA, String b, boolean hasB) {
        if (hasA == hasB) throw new IllegalArgumentException("give exactly one of " + a + " or " + b);
    }
}
