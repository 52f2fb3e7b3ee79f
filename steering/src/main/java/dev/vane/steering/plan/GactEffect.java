package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.StepContext;
import dev.vane.steering.plan.ArtifactResolver.ProbeSteering;
import dev.vane.steering.plan.InterventionSpec.GactSelect;

/**
 * Method 2, G-ACT (arXiv 2506.18887): at each planned layer and position the layer's probe reads
 * the residual {@code a_l[t]}, picks a cluster ({@code argmax}) or mixes them ({@code soft}),
 * and the direction is injected into the same residual: {@code a_l[t] += alpha · μ}.
 */
final class GactEffect implements Effect {

    private final ProbeSteering probes;
    private final boolean[] layers; // [L]
    private final PhaseScope phase;
    private final GactSelect select;
    private final float alpha;
    private final int hidden;
    private final int firstLayer;
    private final EffectTrace trace;
    private final int[] clusters; // [L] cluster count per layer, for the trace

    GactEffect(ProbeSteering probes, boolean[] layers, PhaseScope phase, GactSelect select, double alpha,
               int[] clusters, EffectTrace trace) {
        this.probes = probes;
        this.layers = layers;
        this.phase = phase;
        this.select = select;
        this.alpha = (float) alpha;
        this.hidden = probes.hiddenSize();
        int first = -1;
        for (int l = 0; l < layers.length && first < 0; l++) if (layers[l]) first = l;
        this.firstLayer = first;
        this.clusters = clusters;
        this.trace = trace;
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        return s.component() == Component.RESID_POST && s.layer() >= 0 && layers[s.layer()] && phase.includes(row.phase());
    }

    @Override
    public NDArray apply(HookSite s, NDArray x, StepContext.Row row) {
        int steps = (int) x.getShape().get(1);
        float[] a = x.toType(DataType.FLOAT32, false).toFloatArray(); // [1, T, D]
        float[] delta = new float[steps * hidden];
        steer(s.layer(), a, 0, delta, 0, row);
        // a step temporary: the generator's NDScope frees it with the step
        return x.add(x.getManager().create(delta, new Shape(1, steps, hidden)).toType(x.getDataType(), false));
    }

    @Override
    public boolean inPlace(HookSite s, StepContext.Row row) { return true; }

    @Override
    public void applyInPlace(HookSite s, float[] x, int offset, Shape rowShape, StepContext.Row row) {
        steer(s.layer(), x, offset, x, offset, row);
    }

    /**
     * For each real position {@code t} of the row: the probe reads {@code a[aOff + t·D ..]} and
     * {@code alpha · μ} is added to {@code out[outOff + t·D ..]} (may be the same array).
     */
    private void steer(int l, float[] a, int aOff, float[] out, int outOff, StepContext.Row row) {
        float[] at = new float[hidden];
        for (int t = 0; t < row.length(); t++) {
            System.arraycopy(a, aOff + t * hidden, at, 0, hidden);
            ProbeSteering.Choice c = probes.choose(l, at, select);
            trace.choose(l, c.cluster(), clusters[l]);
            float[] mu = c.direction();
            int o = outOff + t * hidden;
            for (int i = 0; i < hidden; i++) out[o + i] += alpha * mu[i];
        }
        if (l == firstLayer) trace.addPositions(row.length());
    }

    @Override
    public EffectTrace trace() { return trace; }
}
