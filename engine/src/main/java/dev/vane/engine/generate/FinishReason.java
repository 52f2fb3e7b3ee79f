package dev.vane.engine.generate;

import java.util.Locale;

/** Why a sequence stopped generating. */
public enum FinishReason {
    /** A stop string, a stop token id or an EOS token (unless {@code ignore_eos}) was produced. */
    STOP,
    /** {@code max_tokens} (or the context length) was reached. */
    LENGTH,
    /** The client went away or the request was aborted. */
    CANCELLED,
    /** The request's generation deadline passed ({@code GenerationRequest.deadline}). */
    TIMEOUT,
    /** Generation failed inside the engine. */
    ERROR;

    /** Lower-case name for the wire ({@code "stop"}, {@code "length"}, {@code "cancelled"}, {@code "timeout"}, {@code "error"}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
