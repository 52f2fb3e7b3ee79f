package dev.vane.engine.hooks;

import dev.vane.attention.AttentionOptions;

import java.util.BitSet;
import java.util.Optional;

/**
 * What one sequence (one batch row) does at the hook sites: the serving side of the hook SPI,
 * on the decoder's own f32 arrays (no tensor library involved). A request's intervention plan
 * binds to one instance per sequence, which may keep state across steps (a controller's frozen
 * outputs, a probe's choice); the generator combines the rows of a step into one
 * {@link StepHooks}. Calls come from the engine thread only.
 */
public interface RowHooks extends AutoCloseable {

    /**
     * Whether this row acts at {@code site} in the step described by {@code row}. Called for every
     * site of every step, so it must be cheap: a site where no row acts costs nothing.
     */
    boolean actsAt(HookSite site, StepContext.Row row);

    /**
     * Applies this row's hooks at {@code site}, in place, on its slice of the site's values:
     * {@code x[offset .. offset + tokens·width)}, f32, row-major {@code [tokens, width]}.
     * {@code tokens} is the step's padded length per row, of which {@code row.length()} are real
     * (for {@link Component#LOGITS} of the last position only, 1); {@code width} is the hidden
     * size, {@code H·Dh} at {@link Component#ATTN_HEADS} (heads side by side) or the vocabulary
     * at {@link Component#LOGITS}. Called only where {@link #actsAt} is true.
     */
    void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row);

    /**
     * The positions of this row's step ({@code 0..row.length()-1}) that skip {@code layer}; empty
     * (the default) when all run. See {@link LayerGate}.
     */
    default BitSet skips(int layer, StepContext.Row row) { return NO_SKIPS; }

    /**
     * After {@code layer} ran: the real positions of this row whose products the decoder left out
     * ({@code skipped}, within {@code 0..row.length()-1}; empty when every position ran, as when a
     * decoder computed a skipped position and restored its residual). The default ignores it.
     */
    default void ran(int layer, BitSet skipped, StepContext.Row row) {}

    /** No position skips (shared; never modified). */
    BitSet NO_SKIPS = new BitSet(0);

    /**
     * The attention options this row runs with instead of the model's (a request's
     * {@code vane.attention}); empty, the default: the model's. Read once per step.
     */
    default Optional<AttentionOptions> attention() { return Optional.empty(); }

    /** {@code inner} with the attention options {@code options}. */
    static RowHooks withAttention(RowHooks inner, AttentionOptions options) {
        return new AttentionRow(inner, options);
    }

    /**
     * {@code first}'s hooks, then a read-only {@code observer} at the same sites (e.g. a capture of
     * the steered residual): {@code observer} must not skip positions, replay the prompt or set
     * attention options; those stay {@code first}'s.
     */
    static RowHooks observedBy(RowHooks first, RowHooks observer) {
        return new ObservedRow(first, observer);
    }

    /** Whether (and how much of) the prompt is fed a second time before the first sample; see {@link PromptReplay}. */
    default PromptReplay promptReplay() { return PromptReplay.NONE; }

    /** Releases what the row holds; called once when the sequence leaves. */
    @Override
    default void close() {}

    /** A row without hooks. */
    RowHooks NONE = new RowHooks() {
        @Override public boolean actsAt(HookSite site, StepContext.Row row) { return false; }
        @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {}
        @Override public String toString() { return "RowHooks.NONE"; }
    };
}
