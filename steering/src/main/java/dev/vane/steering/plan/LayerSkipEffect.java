package dev.vane.steering.plan;

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
 *       last active layer's output instead of the last layer's. One running buffer {@code [T, D]}
 *       holds it (each active layer overwrites its positions), so the memory held does not grow
 *       with the number of layers.</li>
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
    private float[] lastActive;                  // readout: [n·D] each position's last active layer's output (at first the embedding output)
    private float[] entering;                    // exit: [n·D] what entered the current layer
    private double[] normBuffer = new double[0]; // [n] per-position residual norms at the current site
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

    /** Counts the skips it asked for that the decoder did leave out (a skip that saved nothing is not one). */
    @Override
    public void ran(int layer, BitSet skipped, StepContext.Row row) {
        BitSet mine = skips(layer, row);
        if (mine.isEmpty()) return;
        BitSet saved = (BitSet) mine.clone();
        saved.and(skipped);
        trace.skipped(row.phase(), saved.cardinality());
    }

    private static BitSet all(int n) {
        BitSet b = new BitSet(n);
        b.set(0, n);
        return b;
    }

    /** Per-position L2 norms of the row's first {@code n} positions ({@code x[off + t·d ..]}), in a buffer reused across layers. */
    private double[] norms(float[] x, int off, int d, int n) {
        if (normBuffer.length != n) normBuffer = new double[n];
        double[] out = normBuffer;
        for (int t = 0; t < n; t++) {
            double ss = 0;
            for (int i = 0, o = off + t * d; i < d; i++) ss += (double) x[o + i] * x[o + i];
            out[t] = Math.sqrt(ss);
        }
        return out;
    }

    /** The effect on the row's residual {@code x[offset ..]} ({@code [T, D]}). */
    @Override
    public void apply(HookSite s, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        act(s, x, offset, width, row);
    }

    /**
     * The effect on the row's residual {@code x[off ..]}; returns whether it changed any value
     * (exit and readout do; trace and skip-set only read).
     */
    private boolean act(HookSite s, float[] x, int off, int d, StepContext.Row row) {
        int n = row.length();
        if (mode == SkipMode.SKIP_SET && row.phase() == Phase.GENERATION) {
            trace.undecided(Phase.GENERATION, n, layers); // the set, not the rule, decides: its skips are counted by ran()
            trace.addPositions(n);
            return false;
        }
        int l = s.layer();
        if (s.component() == Component.RESID_PRE) {
            if (l == 0) begin(x, off, d, row);
            if (mode == SkipMode.EXIT) {
                if (entering == null || entering.length != n * d) entering = new float[n * d];
                System.arraycopy(x, off, entering, 0, n * d);
            }
            return false;
        }
        double[] norm = norms(x, off, d, n);
        boolean changed = false;
        for (int t = 0; t < n; t++) {
            if (exitLayer[t] < layers) continue; // exited: the layer was skipped for this token
            if (rules[t].observe(norm[t])) {
                active[t].set(l);
                if (mode == SkipMode.READOUT) System.arraycopy(x, off + t * d, lastActive, t * d, d);
            } else if (mode == SkipMode.EXIT) {
                exitLayer[t] = l;
                // the exit state: what entered layer l (the last active layer's output)
                System.arraycopy(entering, t * d, x, off + t * d, d);
                changed = true;
            }
        }
        if (l < layers - 1) return changed;
        finish(row, n);
        return mode == SkipMode.READOUT ? readout(x, off, d, n) || changed : changed;
    }

    /** A new step: one rule per real position, from the embedding norms. */
    private void begin(float[] x, int off, int d, StepContext.Row row) {
        int n = row.length();
        double[] norm = norms(x, off, d, n);
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
            if (lastActive == null || lastActive.length != n * d) lastActive = new float[n * d];
            System.arraycopy(x, off, lastActive, 0, n * d);
        }
    }

    /** End of the step's last layer: record per-token results, update skip-set counts, readout. */
    private void finish(StepContext.Row row, int n) {
        for (int t = 0; t < n; t++) trace.layers(stepPhase, active[t], layers);
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

    /**
     * Readout: each real position of the last layer's output replaced by its last active layer's
     * output (0 = the embedding output); returns whether any position changed source.
     */
    private boolean readout(float[] x, int off, int d, int n) {
        boolean changed = false;
        for (int t = 0; t < n; t++) {
            if (active[t].get(layers - 1)) continue; // its last active layer is the last one: untouched
            System.arraycopy(lastActive, t * d, x, off + t * d, d);
            changed = true;
        }
        return changed;
    }

    @Override
    public EffectTrace trace() { return trace; }
}
