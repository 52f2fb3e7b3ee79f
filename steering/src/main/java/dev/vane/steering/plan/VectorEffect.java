package dev.vane.steering.plan;

import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.StepContext;

/**
 * Method 0: {@code h_l[t] += scale · v_l} at one site for the planned layers and phase, at every
 * position of the step (padding included, which no real position reads). The scaled vectors are
 * computed once per plan.
 */
final class VectorEffect implements Effect {

    private final Component site;
    private final PhaseScope phase;
    private final float[][] scaled; // [L][D], null where the plan does not act
    private final int firstLayer;
    private final EffectTrace trace;

    VectorEffect(Component site, PhaseScope phase, float[][] scaled, EffectTrace trace) {
        this.site = site;
        this.phase = phase;
        this.scaled = scaled;
        int first = -1;
        for (int l = 0; l < scaled.length && first < 0; l++) if (scaled[l] != null) first = l;
        this.firstLayer = first;
        this.trace = trace;
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        return s.component() == site && s.layer() >= 0 && scaled[s.layer()] != null && phase.includes(row.phase());
    }

    @Override
    public void apply(HookSite s, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        int l = s.layer();
        float[] v = scaled[l]; // [D]
        for (int t = 0; t < tokens; t++) {
            int o = offset + t * width;
            for (int i = 0; i < width; i++) x[o + i] += v[i];
        }
        if (l == firstLayer) trace.addPositions(row.length());
    }

    @Override
    public EffectTrace trace() { return trace; }
}
