package dev.vane.steering.plan;

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

    /**
     * For each real position {@code t} of the row: the probe reads the residual
     * {@code x[offset + t·D ..]}, then {@code alpha · μ} of its choice is added there.
     */
    @Override
    public void apply(HookSite s, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        int l = s.layer();
        float[] at = new float[hidden];
        for (int t = 0; t < row.length(); t++) {
            int o = offset + t * hidden;
            System.arraycopy(x, o, at, 0, hidden);
            ProbeSteering.Choice c = probes.choose(l, at, select);
            trace.choose(l, c.cluster(), clusters[l]);
            float[] mu = c.direction();
            for (int i = 0; i < hidden; i++) x[o + i] += alpha * mu[i];
        }
        if (l == firstLayer) trace.addPositions(row.length());
    }

    @Override
    public EffectTrace trace() { return trace; }
}
