package dev.vane.steering.plan;

import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;

import java.util.BitSet;
import java.util.List;

/**
 * A plan bound to one sequence: its effects and the trace of what they did. At a site the effects
 * that {@linkplain Effect#readsFirst read their input there} (the controller) run first, so what
 * they read does not depend on the rest of the plan; then the others in plan order (a later effect
 * sees what an earlier one wrote at the same site).
 */
public final class SteeringRow implements RowHooks {

    private final List<Effect> effects;
    private final List<Effect> order; // readers first, then the rest in plan order
    private final PromptReplay replay;

    SteeringRow(List<Effect> effects) {
        this.effects = List.copyOf(effects);
        this.order = java.util.stream.Stream.concat(effects.stream().filter(Effect::readsFirst),
                effects.stream().filter(e -> !e.readsFirst())).toList();
        this.replay = effects.stream().map(Effect::promptReplay).reduce(PromptReplay.NONE, PromptReplay::max);
    }

    @Override
    public boolean actsAt(HookSite site, StepContext.Row row) {
        for (Effect e : effects) if (e.actsAt(site, row)) return true;
        return false;
    }

    @Override
    public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        for (Effect e : order)
            if (e.actsAt(site, row)) {
                long t = System.nanoTime();
                e.apply(site, x, offset, tokens, width, row);
                e.trace().addNanos(System.nanoTime() - t);
            }
    }

    @Override
    public PromptReplay promptReplay() { return replay; }

    @Override
    public BitSet skips(int layer, StepContext.Row row) {
        BitSet out = NO_SKIPS;
        for (Effect e : effects) {
            BitSet b = e.skips(layer, row);
            if (b.isEmpty()) continue;
            if (out == NO_SKIPS) out = (BitSet) b.clone();
            else out.or(b);
        }
        return out;
    }

    @Override
    public void ran(int layer, BitSet skipped, StepContext.Row row) {
        if (skipped.isEmpty()) return;
        for (Effect e : effects) e.ran(layer, skipped, row);
    }

    /** What each intervention did, in plan order. */
    public List<EffectTrace> trace() {
        return effects.stream().map(Effect::trace).toList();
    }
}
