package dev.vane.engine.hooks;

/** What a batch row is doing in this step. */
public enum Phase {
    /** Processing prompt tokens (prefill, possibly one chunk of it). */
    PROMPT,
    /** Processing the token generated in the previous step (decode). */
    GENERATION
}
