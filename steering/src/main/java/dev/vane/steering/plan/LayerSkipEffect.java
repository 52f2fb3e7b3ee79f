package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.StepContext;
import dev.vane.steering.lac.LacRule;
import dev.vane.steering.plan.InterventionSpec.SkipMode;

import java.util.BitSet;

/**
 * LAC (arXiv 2505.14467) decided on the fly for every token of the row: the residual norms
 * entering layer 0 and leaving each layer feed one {@link LacRule} per position.
 * {@code trace} records the active layers; {@code readout} (the paper's code) also hands the
 * final norm the output of each token's last active layer instead of the last layer's (every
 * layer still runs, so the KV cache is the baseline's).
 */
final class LayerSkipEffect implements Effect {

    private final SkipMode mode;
    private final PhaseScope phase;
    private final int layers;
    private final double alpha;
    private final EffectTrace trace;
    // state of the current step
    private LacRule[] rules = new LacRule[0];
    private BitSet[] active = new BitSet[0];
    private NDArray[] outputs; // readout: [L + 1] the embedding output, then each layer's, this step

    LayerSkipEffect(SkipMode mode, double alpha, PhaseScope phase, int layers, EffectTrace trace) {
        this.mode = mode;
        this.alpha = alpha;
        this.phase = phase;
        this.layers = layers;
        this.trace = trace;
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        if (!phase.includes(row.phase())) return false;
        return s.component() == Component.RESID_POST || s.component() == Component.RESID_PRE && s.layer() == 0;
    }

    /** Per-position L2 norms of {@code x [1, T, D]} in double, the first {@code n} positions. */
    private static double[] norms(NDArray x, int n) {
        float[] v = x.toType(DataType.FLOAT32, false).norm(new int[] {-1}).toFloatArray(); // [T]
        double[] out = new double[n];
        for (int t = 0; t < n; t++) out[t] = v[t];
        return out;
    }

    @Override
    public NDArray apply(HookSite s, NDArray x, StepContext.Row row) {
        int n = row.length();
        double[] norm = norms(x, n);
        if (s.component() == Component.RESID_PRE) { // h_-1: a new step begins
            rules = new LacRule[n];
            active = new BitSet[n];
            for (int t = 0; t < n; t++) {
                rules[t] = new LacRule(alpha).start(norm[t]);
                active[t] = new BitSet(layers);
            }
            if (mode == SkipMode.READOUT) {
                outputs = new NDArray[layers + 1];
                outputs[0] = x;
            }
            return x;
        }
        int l = s.layer();
        for (int t = 0; t < n; t++) if (rules[t].observe(norm[t])) active[t].set(l);
        if (mode == SkipMode.READOUT) outputs[l + 1] = x;
        if (l < layers - 1) return x;
        for (int t = 0; t < n; t++) trace.layers(row.phase(), active[t], layers);
        trace.addPositions(n);
        return mode == SkipMode.READOUT ? readout(x, n) : x;
    }

    /** The last layer's output with each real position replaced by its last active layer's. */
    private NDArray readout(NDArray x, int n) {
        boolean allLast = true;
        for (int t = 0; t < n && allLast; t++) allLast = active[t].get(layers - 1);
        if (allLast) return x; // every token's last active layer is the last one: the baseline, untouched
        long steps = x.getShape().get(1);
        NDList rows = new NDList((int) steps);
        for (int t = 0; t < steps; t++) {
            int src = t < n ? active[t].previousSetBit(layers - 1) + 1 : layers; // 0 = the embedding output
            rows.add(outputs[src].get(":, {}:{}, :", t, t + 1)); // [1, 1, D]
        }
        return NDArrays.concat(rows, 1); // [1, T, D]
    }

    @Override
    public EffectTrace trace() { return trace; }
}
