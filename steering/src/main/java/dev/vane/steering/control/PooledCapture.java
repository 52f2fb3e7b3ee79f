package dev.vane.steering.control;

import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;

/**
 * Reads a sequence's residual stream leaving the last layer over its prompt and pools it to one
 * vector: the last prompt token's, or the mean over the prompt's tokens. A row hook that only
 * reads, so it runs after the request's interventions ({@link RowHooks#observedBy}) and sees the
 * steered residual. Each layer's output overwrites the one before it, so a position keeps the
 * residual of the deepest layer that ran for it (layer skipping passes a skipped layer's residual
 * through unchanged); a replayed prompt overwrites its first pass.
 */
public final class PooledCapture implements RowHooks {

    /** How the prompt's vectors become one. */
    public enum Pooling {
        /** The last prompt token's vector. */
        LAST,
        /** The mean over every prompt token. */
        MEAN;

        public String jsonName() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private final Pooling pooling;
    private final float[][] positions; // [T][D], null until the position ran

    /** @param promptLength the sequence's prompt tokens */
    public PooledCapture(Pooling pooling, int promptLength) {
        this.pooling = pooling;
        this.positions = new float[promptLength][];
    }

    @Override
    public boolean actsAt(HookSite site, StepContext.Row row) {
        return site.component() == Component.RESID_POST && row.phase() == Phase.PROMPT;
    }

    @Override
    public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        for (int j = 0; j < row.length(); j++) {
            int p = row.start() + j;
            if (p < 0 || p >= positions.length) continue;
            if (positions[p] == null) positions[p] = new float[width];
            System.arraycopy(x, offset + j * width, positions[p], 0, width); // [D]
        }
    }

    /** The pooled vector {@code [D]}. */
    public float[] pooled() {
        for (int p = 0; p < positions.length; p++)
            if (positions[p] == null) throw new IllegalStateException("prompt position " + p + " was not captured (did the prompt run?)");
        if (pooling == Pooling.LAST) return positions[positions.length - 1].clone();
        int d = positions[0].length;
        double[] sum = new double[d];
        for (float[] v : positions)
            for (int i = 0; i < d; i++) sum[i] += v[i];
        float[] out = new float[d];
        for (int i = 0; i < d; i++) out[i] = (float) (sum[i] / positions.length);
        return out;
    }
}
