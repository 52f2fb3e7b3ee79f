package dev.vane.steering.plan;

import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;

import java.util.BitSet;

/**
 * One intervention bound to one sequence: the per-row part of {@link SteeringRow}. Each method
 * has one effect class, written once on the decoders' f32 arrays and run by both decoders.
 */
interface Effect {

    boolean actsAt(HookSite site, StepContext.Row row);

    /**
     * The effect on this row's slice of the site's values, in place: {@code x[offset ..
     * offset + tokens·width)}, f32 row-major {@code [tokens, width]} (see {@link RowHooks#apply}).
     */
    void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row);

    /**
     * Whether this effect reads its input from the sites it acts at and must see the values the
     * model computed there, before any other effect of the plan edits them (then it runs first
     * at every site; see {@link SteeringRow}).
     */
    default boolean readsFirst() { return false; }

    /** How much of the prompt this effect needs fed twice ({@link RowHooks#promptReplay}). */
    default PromptReplay promptReplay() { return PromptReplay.NONE; }

    /** Positions of the row's step that skip {@code layer} (layer skipping only). */
    default BitSet skips(int layer, StepContext.Row row) { return RowHooks.NO_SKIPS; }

    /**
     * After {@code layer} ran: the row's positions whose products the decoder left out (not empty;
     * see {@link RowHooks#ran}). Layer skipping counts those it asked for.
     */
    default void ran(int layer, BitSet skipped, StepContext.Row row) {}

    EffectTrace trace();
}
