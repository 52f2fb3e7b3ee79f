package dev.vane.engine.hooks;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Which positions of a step skip one decoder layer (design.md §3, {@code LAYER_GATE}). A skipped
 * position keeps its residual unchanged through the layer; its keys and values at that layer are
 * still projected from that residual and cached (the {@code project} KV policy), so later tokens
 * attend to it as usual. The serving decoder leaves skipped positions out of the layer's
 * attention, output projection and MLP (the running positions are gathered, computed and
 * scattered back); when every real position of the step skips, it computes only the layer's K/V
 * projections. A decoder tells the hooks what it did execute ({@link StepHooks#ran}), so a skip
 * that saved nothing is not counted as one.
 */
public final class LayerGate {

    /** Every position runs the layer. */
    public static final LayerGate RUN = new LayerGate(null, false);

    private final BitSet[] skip; // [B] positions of each row that skip, or null for RUN
    private final boolean all;

    private LayerGate(BitSet[] skip, boolean all) {
        this.skip = skip;
        this.all = all;
    }

    /**
     * The gate for a step from each row's skipped positions ({@code skip[b]} over {@code 0..T-1};
     * padding positions follow their row's last real position).
     */
    public static LayerGate of(BitSet[] skip, StepContext ctx) {
        boolean any = false, all = true;
        for (int b = 0; b < skip.length; b++) {
            int n = ctx.rows().get(b).length();
            int c = skip[b].get(0, n).cardinality();
            any |= c > 0;
            all &= c == n;
        }
        return any ? new LayerGate(skip, all) : RUN;
    }

    /** Whether every position runs the layer. */
    public boolean runsAll() { return skip == null; }

    /** Whether every real position skips the layer (only its K/V are computed). */
    public boolean skipsAll() { return all; }

    /** Whether position {@code t} of row {@code b} skips the layer. */
    public boolean skips(int b, int t) { return skip != null && skip[b].get(t); }

    /** The positions of row {@code b} that skip (never modified; empty when none do). */
    public BitSet skipped(int b) { return skip == null ? RowHooks.NO_SKIPS : skip[b]; }

    /** The step's rows {@code n = b·T + t} that run the layer, in increasing order (padding positions always run). */
    public int[] running(StepContext ctx) {
        int b = ctx.batchSize(), t = ctx.tokensPerRow(), m = 0;
        int[] run = new int[b * t];
        for (int r = 0; r < b; r++)
            for (int p = 0; p < t; p++) if (!skips(r, p)) run[m++] = r * t + p;
        return Arrays.copyOf(run, m);
    }

    /** The mask {@code [B * T]}: true where the position skips (padding positions never do). */
    public boolean[] mask(StepContext ctx) {
        int b = ctx.batchSize(), t = ctx.tokensPerRow();
        boolean[] m = new boolean[b * t];
        for (int r = 0; r < b; r++)
            for (int p = skip[r].nextSetBit(0); p >= 0 && p < t; p = skip[r].nextSetBit(p + 1)) m[r * t + p] = true;
        return m;
    }
}
