package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;

/** One intervention bound to one sequence: the per-row part of {@link SteeringRow}. */
interface Effect {

    boolean actsAt(HookSite site, StepContext.Row row);

    /** {@code x}: this row's slice {@code [1, T, D]} of the site's tensor. */
    NDArray apply(HookSite site, NDArray x, StepContext.Row row);

    /** Whether {@link #applyInPlace} does all this effect does at {@code s} (no in-place form by default). */
    default boolean inPlace(HookSite s, StepContext.Row row) { return false; }

    /**
     * {@link #apply} on the row's slice of a Java array ({@code x[offset .. offset + rowShape.size())},
     * f32, row-major {@code [1, T, D]}): the Java decode path's form, with no tensor op.
     */
    default void applyInPlace(HookSite s, float[] x, int offset, ai.djl.ndarray.types.Shape rowShape, StepContext.Row row) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no in-place form");
    }

    /** How much of the prompt this effect needs fed twice ({@link RowHooks#promptReplay}). */
    default PromptReplay promptReplay() { return PromptReplay.NONE; }

    /** Positions of the row's step that skip {@code layer} (layer skipping only). */
    default java.util.BitSet skips(int layer, StepContext.Row row) { return dev.vane.engine.hooks.RowHooks.NO_SKIPS; }

    EffectTrace trace();
}
