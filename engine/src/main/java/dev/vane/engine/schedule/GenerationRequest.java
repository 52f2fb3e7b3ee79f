package dev.vane.engine.schedule;

import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.hooks.RowHooks;

import dev.vane.engine.generate.SamplingParams;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One sequence to generate.
 *
 * @param prompt   prompt token ids
 * @param params   sampling parameters (validated)
 * @param deadline wall-clock budget from submission, waiting included; the sequence ends with
 *                 {@link dev.vane.engine.generate.FinishReason#TIMEOUT} (keeping what it generated)
 *                 when it runs out
 * @param hooks    this sequence's interventions, bound for it alone ({@link RowHooks#NONE}: none);
 *                 closed by the engine when the sequence leaves
 * @param beacon   the Activation Beacon ratio its context is compressed at (empty: not compressed)
 * @param grammar  the structured output it is constrained to (empty: none)
 */
public record GenerationRequest(int[] prompt, SamplingParams params, Optional<Duration> deadline, RowHooks hooks,
                                OptionalInt beacon, Optional<Grammar> grammar) {

    public GenerationRequest {
        prompt = prompt.clone();
        if (prompt.length == 0) throw new IllegalArgumentException("prompt must not be empty");
        java.util.Objects.requireNonNull(hooks, "hooks");
        java.util.Objects.requireNonNull(beacon, "beacon");
        java.util.Objects.requireNonNull(grammar, "grammar");
    }

    public GenerationRequest(int[] prompt, SamplingParams params, Optional<Duration> deadline, RowHooks hooks,
                             OptionalInt beacon) {
        this(prompt, params, deadline, hooks, beacon, Optional.empty());
    }

    public GenerationRequest(int[] prompt, SamplingParams params, Optional<Duration> deadline, RowHooks hooks) {
        this(prompt, params, deadline, hooks, OptionalInt.empty());
    }

    public GenerationRequest(int[] prompt, SamplingParams params, Optional<Duration> deadline) {
        this(prompt, params, deadline, RowHooks.NONE);
    }

    public static GenerationRequest of(int[] prompt, SamplingParams params) {
        return new GenerationRequest(prompt, params, Optional.empty());
    }

    /** The same request running {@code rowHooks}. */
    public GenerationRequest withHooks(RowHooks rowHooks) {
        return new GenerationRequest(prompt, params, deadline, rowHooks, beacon, grammar);
    }
}
