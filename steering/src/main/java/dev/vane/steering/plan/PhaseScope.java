package dev.vane.steering.plan;

import dev.vane.engine.hooks.Phase;
import dev.vane.engine.text.Snippet;

import java.util.Locale;

/** Which positions an intervention acts on: prompt tokens, generated tokens, or both. */
public enum PhaseScope {
    PROMPT, GENERATION, BOTH;

    public boolean includes(Phase phase) {
        return this == BOTH || (this == PROMPT) == (phase == Phase.PROMPT);
    }

    /** The JSON name ({@code prompt}, {@code generation}, {@code both}). */
    public String jsonName() { return name().toLowerCase(Locale.ROOT); }

    public static PhaseScope parse(String s) {
        for (PhaseScope p : values()) if (p.jsonName().equals(s)) return p;
        throw new PlanException("phase", "phase must be prompt, generation or both, got '" + Snippet.of(s) + "'");
    }
}
