package dev.vane.engine.hooks;

/**
 * Whether a row's prompt is fed a second time before the first sample. Methods that decide from
 * the whole prompt's activations (the steering controller) read them in the first pass and act on
 * the second; the second pass writes the same positions, so its KV entries replace the first's.
 */
public enum PromptReplay {
    /** One pass; the first sample comes from it. */
    NONE,
    /** The final prompt token is fed again, so every layer can be patched at the last prompt position. */
    LAST_TOKEN,
    /** The whole prompt is fed again from position 0 (a second prefill), so every prompt position can be patched. */
    WHOLE_PROMPT;

    /** The stronger of two requests: a row replays what any of its methods needs. */
    public PromptReplay max(PromptReplay other) { return compareTo(other) >= 0 ? this : other; }
}
