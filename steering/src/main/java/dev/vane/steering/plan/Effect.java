package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.StepContext;

/** One intervention bound to one sequence: the per-row part of {@link SteeringRow}. */
interface Effect {

    boolean actsAt(HookSite site, StepContext.Row row);

    /** {@code x}: this row's slice {@code [1, T, D]} of the site's tensor. */
    NDArray apply(HookSite site, NDArray x, StepContext.Row row);

    default boolean replaysLastPromptToken() { return false; }

    /** Positions of the row's step that skip {@code layer} (layer skipping only). */
    default java.util.BitSet skips(int layer, StepContext.Row row) { return dev.vane.engine.hooks.RowHooks.NO_SKIPS; }

    EffectTrace trace();
}
