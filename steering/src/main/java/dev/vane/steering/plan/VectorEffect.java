package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.StepContext;

/**
 * Method 0: {@code h_l[t] += scale · v_l} at one site for the planned layers and phase. The
 * scaled vectors are computed once per plan; their tensors are made on first use, in the dtype
 * of the site's tensor, and live as long as the row.
 */
final class VectorEffect implements Effect {

    private final Component site;
    private final PhaseScope phase;
    private final float[][] scaled; // [L][D], null where the plan does not act
    private final int firstLayer;
    private final NDArray[] tensors; // [L] of [1, 1, D], made on first use
    private final NDManager manager;
    private final EffectTrace trace;

    VectorEffect(Component site, PhaseScope phase, float[][] scaled, NDManager manager, EffectTrace trace) {
        this.site = site;
        this.phase = phase;
        this.scaled = scaled;
        int first = -1;
        for (int l = 0; l < scaled.length && first < 0; l++) if (scaled[l] != null) first = l;
        this.firstLayer = first;
        this.tensors = new NDArray[scaled.length];
        this.manager = manager;
        this.trace = trace;
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        return s.component() == site && s.layer() >= 0 && scaled[s.layer()] != null && phase.includes(row.phase());
    }

    @Override
    public NDArray apply(HookSite s, NDArray x, StepContext.Row row) {
        int l = s.layer();
        NDArray v = tensors[l];
        if (v == null || v.getDataType() != x.getDataType()) {
            v = manager.create(scaled[l], new Shape(1, 1, scaled[l].length)).toType(x.getDataType(), false);
            NDScope.unregister(v); // lives with the row, not the step's scope
            tensors[l] = v;
        }
        if (l == firstLayer) trace.addPositions(row.length());
        return x.add(v); // [1, T, D] + [1, 1, D]
    }

    @Override
    public boolean inPlace(HookSite s, StepContext.Row row) { return true; }

    @Override
    public void applyInPlace(HookSite s, float[] x, int offset, Shape rowShape, StepContext.Row row) {
        int l = s.layer();
        float[] v = scaled[l];
        int steps = (int) rowShape.get(1), d = v.length;
        for (int t = 0; t < steps; t++) { // every position, padding included, as x.add(v) does
            int o = offset + t * d;
            for (int i = 0; i < d; i++) x[o + i] += v[i];
        }
        if (l == firstLayer) trace.addPositions(row.length());
    }

    @Override
    public EffectTrace trace() { return trace; }
}
