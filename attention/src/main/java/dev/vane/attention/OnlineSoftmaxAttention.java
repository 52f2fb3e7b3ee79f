package dev.vane.attention;

/**
 * Exact softmax attention over blocks of keys (online softmax): per head a running state
 * {@code (m, l, o)} = (max logit so far, Σ e^(z−m), Σ e^(z−m)·v), updated block by block with
 * {@code m' = max(m, max z_block)}, {@code α = e^(m−m')}, {@code l = α·l + Σ e^(z−m')},
 * {@code o = α·o + Σ e^(z−m')·v}; finally {@code out = o / l}. The same result as
 * {@link SoftmaxAttention} up to rounding, while no more than one block of scores per head is
 * ever held: memory does not grow with the context.
 *
 * <p>The tensor form is the reference's (the reformulation changes the order of operations, not
 * the function).
 */
public final class OnlineSoftmaxAttention extends BlockedSoftmax {

    /** Keys per block unless told otherwise: 256 scores per head stay in the first-level cache. */
    public static final int DEFAULT_BLOCK = 256;

    /** Per thread: {@code [heads, block]} scores, {@code [heads, 2]} running (m, l), one block's {@code [Dh]} mix (the outputs accumulate in place). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    public OnlineSoftmaxAttention(int headDim, int block, LengthScale length) {
        super(headDim, block, length);
    }

    @Override
    public String label() { return label("online"); }

    @Override
    public void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0) {
        java.util.Arrays.fill(out, o0, o0 + heads * dh, 0f); // o = 0 (and the answer when n = 0)
        if (n == 0) return;
        float sc = (float) (scale * length.at(n));
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < heads * block) scratch[0] = new float[heads * block];
        if (scratch[1].length < heads * 2) scratch[1] = new float[heads * 2];
        if (scratch[2].length < dh) scratch[2] = new float[dh];
        float[] s = scratch[0], ml = scratch[1], part = scratch[2];
        for (int h = 0; h < heads; h++) {
            ml[2 * h] = Float.NEGATIVE_INFINITY; // m
            ml[2 * h + 1] = 0f;                  // l
        }
        for (int b0 = 0; b0 < n; b0 += block) {
            int len = Math.min(block, n - b0), k0 = kv0 + b0 * dh;
            for (int h = 0; h < heads; h++) Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, k0, len, s, h * block);
            for (int h = 0; h < heads; h++) {
                int s0 = h * block, o = o0 + h * dh;
                float m = ml[2 * h], next = m;
                for (int j = 0; j < len; j++) next = Math.max(next, s[s0 + j]);
                float alpha = m == Float.NEGATIVE_INFINITY ? 0f : Lanes.exp(m - next);
                float sum = Lanes.exp(s, s0, len, 1f, next, s, s0);            // P = e^(z − m')
                ml[2 * h + 1] = alpha * ml[2 * h + 1] + sum;                  // l = α·l + ΣP
                ml[2 * h] = next;
                Rows.mixValues(dh, s, s0, len, values, k0, part, 0, 1f);      // Σ P·V
                for (int i = 0; i < dh; i++) out[o + i] = Math.fma(alpha, out[o + i], part[i]); // o = α·o + ΣP·V
            }
        }
        for (int h = 0; h < heads; h++) {
            float inv = 1f / ml[2 * h + 1];
            for (int i = 0, o = o0 + h * dh; i < dh; i++) out[o + i] *= inv;
        }
    }
}
