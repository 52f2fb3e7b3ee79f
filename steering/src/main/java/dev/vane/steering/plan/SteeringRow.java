package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;

import java.util.List;

/**
 * A plan bound to one sequence: its effects in plan order (a later effect sees what an earlier
 * one wrote at the same site), the tensors they hold (in a manager closed with the row) and the
 * trace of what they did.
 */
public final class SteeringRow implements RowHooks {

    private final List<Effect> effects;
    private final NDManager manager;
    private final PromptReplay replay;

    SteeringRow(List<Effect> effects, NDManager manager) {
        this.effects = List.copyOf(effects);
        this.manager = manager;
        this.replay = effects.stream().map(Effect::promptReplay).reduce(PromptReplay.NONE, PromptReplay::max);
    }

    @Override
    public boolean actsAt(HookSite site, StepContext.Row row) {
        for (Effect e : effects) if (e.actsAt(site, row)) return true;
        return false;
    }

    @Override
    public NDArray apply(HookSite site, NDArray x, StepContext.Row row) {
        for (Effect e : effects)
            if (e.actsAt(site, row)) {
                long t = System.nanoTime();
                x = e.apply(site, x, row);
                e.trace().addNanos(System.nanoTime() - t);
            }
        return x;
    }

    @Override
    public boolean inPlaceAt(HookSite site, StepContext.Row row) {
        for (Effect e : effects) if (e.actsAt(site, row) && !e.inPlace(site, row)) return false;
        return true;
    }

    @Override
    public void applyInPlace(HookSite site, float[] data, int offset, Shape rowShape, StepContext.Row row) {
        for (Effect e : effects)
            if (e.actsAt(site, row)) {
                long t = System.nanoTime();
                e.applyInPlace(site, data, offset, rowShape, row);
                e.trace().addNanos(System.nanoTime() - t);
            }
    }

    @Override
    public PromptReplay promptReplay() { return replay; }

    @Override
    public java.util.BitSet skips(int layer, StepContext.Row row) {
        java.util.BitSet out = NO_SKIPS;
        for (Effect e : effects) {
            java.util.BitSet b = e.skips(layer, row);
            if (b.isEmpty()) continue;
            if (out == NO_SKIPS) out = (java.util.BitSet) b.clone();
            else out.or(b);
        }
        return out;
    }

    /** What each intervention did, in plan order. */
    public List<EffectTrace> trace() {
        return effects.stream().map(Effect::trace).toList();
    }

    @Override
    public void close() {
        manager.close();
    }
}
