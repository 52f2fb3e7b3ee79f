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
 * steered residual; the decoders call the last layer's output site for every position, a skipped
 * layer passing its input through. Memory {@code O(D)}: a running sum of the positions before the
 * last (restarted when position 0 comes again, as a replayed prompt does) and the last position's
 * vector (a replayed last token overwrites it).
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
    private final int promptLength;
    private final int lastLayer;
    private double[] sum;  // [D], positions 0 .. T-2 (mean only)
    private int summed;    // positions in sum
    private float[] last;  // [D], position T-1

    /** @param promptLength the sequence's prompt tokens; {@code numLayers} the model's */
    public PooledCapture(Pooling pooling, int promptLength, int numLayers) {
        if (promptLength < 1) throw new IllegalArgumentException("an empty prompt has nothing to pool");
        this.pooling = pooling;
        this.promptLength = promptLength;
        this.lastLayer = numLayers - 1;
    }

    @Override
    public boolean actsAt(HookSite site, StepContext.Row row) {
        return site.component() == Component.RESID_POST && site.layer() == lastLayer && row.phase() == Phase.PROMPT;
    }

    @Override
    public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        for (int j = 0; j < row.length(); j++) {
            int p = row.start() + j, at = offset + j * width;
            if (p == promptLength - 1) {
                if (last == null) last = new float[width];
                System.arraycopy(x, at, last, 0, width); // [D]
            } else if (pooling == Pooling.MEAN && p >= 0 && p < promptLength - 1) {
                if (sum == null || p == 0) {
                    sum = new double[width];
                    summed = 0;
                }
                for (int i = 0; i < width; i++) sum[i] += x[at + i];
                summed++;
            }
        }
    }

    /** The pooled vector {@code [D]}. */
    public float[] pooled() {
        if (last == null || (pooling == Pooling.MEAN && summed != promptLength - 1))
            throw new IllegalStateException("the prompt was not captured whole (did it run?)");
        if (pooling == Pooling.LAST) return last.clone();
        float[] out = new float[last.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) (((sum == null ? 0 : sum[i]) + last[i]) / promptLength);
        return out;
    }
}
