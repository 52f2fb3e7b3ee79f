package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * What one sequence (one batch row) does at the hook sites: the per-request side of the hook
 * SPI. A request's intervention plan binds to one instance per sequence, which may keep state
 * across steps (a controller's frozen outputs, a probe's choice); the generator combines the
 * rows of a step into one {@link ForwardHooks} with {@link BatchHooks}. Calls come from the
 * engine thread only.
 */
public interface RowHooks extends AutoCloseable {

    /**
     * Whether this row acts at {@code site} in the step described by {@code row}. Called for every
     * site of every step, so it must be cheap and do no tensor work: a site where no row acts
     * costs nothing.
     */
    boolean actsAt(HookSite site, StepContext.Row row);

    /**
     * Applies this row's hooks at {@code site}: {@code x} is this row's slice of the site's tensor
     * ({@code [1, T, ...]}, T the step's padded length, of which {@code row.length()} are real; for
     * LOGITS {@code [1, V]}). Returns {@code x} to only read, or the replacement.
     */
    NDArray apply(HookSite site, NDArray x, StepContext.Row row);

    /**
     * Whether {@link #applyInPlace} can do everything this row does at {@code site} in this step;
     * asked only where {@link #actsAt} is true. False (the default) sends the row's slice through
     * {@link #apply}.
     */
    default boolean inPlaceAt(HookSite site, StepContext.Row row) { return false; }

    /**
     * What {@link #apply} does, on this row's slice of a Java array: {@code data[offset ..
     * offset + rowShape.size())}, f32, row-major in {@code rowShape} ({@code [1, T, ...]}). Called
     * only where {@link #inPlaceAt} is true.
     */
    default void applyInPlace(HookSite site, float[] data, int offset, Shape rowShape, StepContext.Row row) {
        throw new UnsupportedOperationException(this + " has no in-place form at " + site);
    }

    /**
     * The positions of this row's step ({@code 0..row.length()-1}) that skip {@code layer}; empty
     * (the default) when all run. See {@link LayerGate}.
     */
    default java.util.BitSet skips(int layer, StepContext.Row row) { return NO_SKIPS; }

    /** No position skips (shared; never modified). */
    java.util.BitSet NO_SKIPS = new java.util.BitSet(0);

    /** Whether (and how much of) the prompt is fed a second time before the first sample; see {@link PromptReplay}. */
    default PromptReplay promptReplay() { return PromptReplay.NONE; }

    /** Releases what the row holds (per-request tensors); called once when the sequence leaves. */
    @Override
    default void close() {}

    /** A row without hooks. */
    RowHooks NONE = new RowHooks() {
        @Override public boolean actsAt(HookSite site, StepContext.Row row) { return false; }
        @Override public NDArray apply(HookSite site, NDArray x, StepContext.Row row) { return x; }
        @Override public String toString() { return "RowHooks.NONE"; }
    };
}
