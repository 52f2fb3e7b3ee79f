package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.steering.lac.LacRule;
import dev.vane.steering.plan.InterventionSpec.SkipMode;

import java.util.BitSet;

/**
 * LAC (arXiv 2505.14467) decided on the fly for every token of the row: the residual norms
 * entering layer 0 and leaving each layer feed one {@link LacRule} per position.
 * <ul>
 *   <li>{@code trace}: record the active layers, change nothing.</li>
 *   <li>{@code readout} (the paper's code): every layer runs; the final norm reads each token's
 *       last active layer's output instead of the last layer's.</li>
 *   <li>{@code exit}: at a token's first void layer its residual goes back to what entered that
 *       layer (the last active layer's output) and the deeper layers are skipped for it: the
 *       engine projects their keys and values from that exit state.</li>
 *   <li>{@code skip-set}: the prompt's tokens are traced; layers void for at least {@code q} of
 *       them are skipped for every generated token.</li>
 * </ul>
 */
final class LayerSkipEffect implements Effect {

    private final SkipMode mode;
    private final PhaseScope phase;
    private final int layers;
    private final double alpha;
    private final double q;
    private final EffectTrace trace;
    // state of the current step
    private LacRule[] rules = new LacRule[0];
    private BitSet[] active = new BitSet[0];
    private int[] exitLayer = new int[0];        // exit: the void layer a position stopped at, or layers
    private NDArray[] outputs;                   // readout: [L + 1] the embedding output, then each layer's
    private NDArray entering;                    // exit: what entered the current layer
    private Phase stepPhase;
    // skip-set: void counts over the prompt, then the set
    private final int[] voidCount;
    private int promptTokens;
    private BitSet skipSet;

    LayerSkipEffect(SkipMode mode, double alpha, double q, PhaseScope phase, int layers, EffectTrace trace) {
        this.mode = mode;
        this.alpha = alpha;
        this.q = q;
        this.phase = phase;
        this.layers = layers;
        this.trace = trace;
        this.voidCount = new int[layers];
    }

    /** Whether this step's tokens get the per-token rule. */
    private boolean decides(StepContext.Row row) {
        return mode == SkipMode.SKIP_SET ? row.phase() == Phase.PROMPT : phase.includes(row.phase());
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        if (mode == SkipMode.SKIP_SET && row.phase() == Phase.GENERATION)
            return skipSet != null && s.component() == Component.RESID_POST && s.layer() == layers - 1; // trace only
        if (!decides(row)) return false;
        if (s.component() == Component.RESID_POST) return true;
        return s.component() == Component.RESID_PRE && (s.layer() == 0 || mode == SkipMode.EXIT);
    }

    @Override
    public BitSet skips(int layer, StepContext.Row row) {
        if (mode == SkipMode.SKIP_SET)
            return row.phase() == Phase.GENERATION && skipSet != null && skipSet.get(layer) ? all(row.length()) : RowHooks.NO_SKIPS;
        if (mode != SkipMode.EXIT || !decides(row) || exitLayer.length != row.length()) return RowHooks.NO_SKIPS;
        BitSet b = null;
        for (int t = 0; t < exitLayer.length; t++)
            if (layer > exitLayer[t]) {
                if (b == null) b = new BitSet(exitLayer.length);
                b.set(t);
            }
        return b == null ? RowHooks.NO_SKIPS : b;
    }

    private static BitSet all(int n) {
        BitSet b = new BitSet(n);
        b.set(0, n);
        return b;
    }

    /** Per-position L2 norms of {@code x [1, T, D]}, the first {@code n} positions. */
    private static double[] norms(NDArray x, int n) {
        float[] v = x.toType(DataType.FLOAT32, false).norm(new int[] {-1}).toFloatArray(); // [T]
        double[] out = new double[n];
        for (int t = 0; t < n; t++) out[t] = v[t];
        return out;
    }

    @Override
    public NDArray apply(HookSite s, NDArray x, StepContext.Row row) {
        int n = row.length();
        if (mode == SkipMode.SKIP_SET && row.phase() == Phase.GENERATION) {
            BitSet ran = new BitSet(layers);
            ran.set(0, layers);
            ran.andNot(skipSet);
            for (int t = 0; t < n; t++) {
                trace.layers(Phase.GENERATION, (BitSet) ran.clone(), layers);
                trace.skipped(Phase.GENERATION, skipSet.cardinality());
            }
            trace.addPositions(n);
            return x;
        }
        int l = s.layer();
        if (s.component() == Component.RESID_PRE) {
            if (l == 0) begin(x, row);
            entering = x;
            return x;
        }
        double[] norm = norms(x, n);
        boolean exitHere = false;
        for (int t = 0; t < n; t++) {
            if (exitLayer[t] < layers) continue; // exited: the layer was skipped for this token
            if (rules[t].observe(norm[t])) active[t].set(l);
            else if (mode == SkipMode.EXIT) {
                exitLayer[t] = l;
                exitHere = true;
            }
        }
        if (mode == SkipMode.READOUT) outputs[l + 1] = x;
        NDArray out = exitHere ? exitState(x, l, n) : x;
        if (l < layers - 1) return out;
        finish(row, n);
        return mode == SkipMode.READOUT ? readout(out, n) : out;
    }

    /** A new step: one rule per real position, from the embedding norms. */
    private void begin(NDArray x, StepContext.Row row) {
        int n = row.length();
        double[] norm = norms(x, n);
        stepPhase = row.phase();
        rules = new LacRule[n];
        active = new BitSet[n];
        exitLayer = new int[n];
        for (int t = 0; t < n; t++) {
            rules[t] = new LacRule(alpha).start(norm[t]);
            active[t] = new BitSet(layers);
            exitLayer[t] = layers;
        }
        if (mode == SkipMode.READOUT) {
            outputs = new NDArray[layers + 1];
            outputs[0] = x;
        }
    }

    /** The residual with the positions that exit at layer l put back to what entered l. */
    private NDArray exitState(NDArray x, int l, int n) {
        long steps = x.getShape().get(1);
        if (steps == 1) return entering;
        boolean[] keep = new boolean[(int) steps];
        for (int t = 0; t < n; t++) keep[t] = exitLayer[t] == l;
        NDArray cond = x.getManager().create(keep, new Shape(1, steps, 1)).broadcast(x.getShape());
        return NDArrays.where(cond, entering, x);
    }

    /** End of the step's last layer: record per-token results, update skip-set counts, readout. */
    private void finish(StepContext.Row row, int n) {
        for (int t = 0; t < n; t++) {
            trace.layers(stepPhase, active[t], layers);
            if (exitLayer[t] < layers) trace.skipped(stepPhase, layers - 1 - exitLayer[t]);
        }
        trace.addPositions(n);
        if (mode == SkipMode.SKIP_SET) {
            for (int t = 0; t < n; t++)
                for (int l = 0; l < layers; l++) if (!active[t].get(l)) voidCount[l]++;
            promptTokens += n;
            if (row.lastOfPrompt()) {
                skipSet = new BitSet(layers);
                for (int l = 0; l < layers; l++) if (voidCount[l] >= q * promptTokens) skipSet.set(l);
                trace.skipSet(skipSet);
            }
        }
    }

    /** Readout: the last layer's output with each real position replaced by its last active layer's. */
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
