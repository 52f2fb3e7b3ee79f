package dev.vane.engine.hooks;

import java.util.BitSet;

/**
 * Which positions of a step skip one decoder layer (design.md §3, {@code LAYER_GATE}). A skipped
 * position keeps its residual unchanged through the layer; its keys and values at that layer are
 * still projected from that residual and cached (the {@code project} KV policy), so later tokens
 * attend to it as usual. When every real position of the step skips, the engine computes only
 * the layer's K/V projections.
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

    /** The mask {@code [B * T]}: true where the position skips (padding positions never do). */
    public boolean[] mask(StepContext ctx) {
        int b = ctx.batchSize(), t = ctx.tokensPerRow();
        boolean[] m = new boolean[b * t];
        for (int r = 0; r < b; r++)
            for (int p = skip[r].nextSetBit(0); p >= 0 && p < t; p = skip[r].nextSetBit(p + 1)) m[r * t + p] = true;
        return m;
    }
}
