package dev.vane.attention;

import jdk.incubator.vector.FloatVector;

/**
 * Exact softmax attention over blocks of keys (online softmax): per head a running state
 * {@code (m, l, o)} = (max logit so far, Σ e^(z−m), Σ e^(z−m)·v), updated block by block with
 * {@code m' = max(m, max z_block)}, {@code α = e^(m−m')}, {@code l = α·l + Σ e^(z−m')},
 * {@code o = α·o + Σ e^(z−m')·v}; finally {@code out = o / l}. The same result as
 * {@link SoftmaxAttention} up to rounding, while no more than one block of scores per head is
 * ever held: memory does not grow with the context. A context of one block runs the reference's
 * own operations (scores, max, exponentials, mix scaled by 1/Σ), so there it gives the reference's
 * bits; the first block of a longer context starts the state without a rescaling.
 *
 * <p>The tensor form is the reference's (the reformulation changes the order of operations, not
 * the function).
 */
public final class OnlineSoftmaxAttention extends BlockedSoftmax {

    /** Keys per block of the blocked kernels unless told otherwise: 256 scores per head stay in the first-level cache. */
    public static final int DEFAULT_BLOCK = 256;

    /**
     * Keys per block of the serving online kernel: a context of up to 1,024 keys is one block, so
     * short contexts run the reference's own operations and pay no rescaling; a block of 1,024
     * scores per head (4 KiB a head) still stays in the first-level cache of a KV group's heads.
     */
    public static final int SERVING_BLOCK = 1024;

    /** Per thread: {@code [heads, block]} scores, {@code [heads, 2]} running (m, l), one block's {@code [Dh]} mix (the outputs accumulate in place). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    public OnlineSoftmaxAttention(int headDim, int block, LengthScale length) {
        super(headDim, block, length);
    }

    @Override
    public String label() { return label("online"); }

    @Override
    public void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0) {
        if (n == 0) {
            java.util.Arrays.fill(out, o0, o0 + heads * dh, 0f);
            return;
        }
        float sc = (float) (scale * length.at(n));
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < heads * block) scratch[0] = new float[heads * block];
        if (scratch[1].length < heads * 2) scratch[1] = new float[heads * 2];
        if (scratch[2].length < dh) scratch[2] = new float[dh];
        float[] s = scratch[0], ml = scratch[1], part = scratch[2];
        // first block: the state starts as the block's own (m, l, o) = (max z, ΣP, ΣP·V); when it is
        // the only block, o/l is mixed at once, the reference's own sequence of operations
        int first = Math.min(block, n);
        boolean single = n == first;
        for (int h = 0; h < heads; h++) Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, kv0, first, s, h * block);
        for (int h = 0; h < heads; h++) {
            int s0 = h * block;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < first; j++) m = Math.max(m, s[s0 + j]);
            float sum = Lanes.exp(s, s0, first, 1f, m, s, s0);              // P = e^(z − m)
            ml[2 * h] = m;
            ml[2 * h + 1] = sum;
            Rows.mixValues(dh, s, s0, first, values, kv0, out, o0 + h * dh, single ? 1f / sum : 1f);
        }
        if (single) return;
        for (int b0 = first; b0 < n; b0 += block) {
            int len = Math.min(block, n - b0), k0 = kv0 + b0 * dh;
            for (int h = 0; h < heads; h++) Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, k0, len, s, h * block);
            for (int h = 0; h < heads; h++) {
                int s0 = h * block, o = o0 + h * dh;
                float m = ml[2 * h], next = m;
                for (int j = 0; j < len; j++) next = Math.max(next, s[s0 + j]);
                float alpha = Lanes.exp(m - next);
                float sum = Lanes.exp(s, s0, len, 1f, next, s, s0);            // P = e^(z − m')
                ml[2 * h + 1] = alpha * ml[2 * h + 1] + sum;                  // l = α·l + ΣP
                ml[2 * h] = next;
                Rows.mixValues(dh, s, s0, len, values, k0, part, 0, 1f);      // Σ P·V
                FloatVector a = FloatVector.broadcast(Lanes.F, alpha);
                for (int i = 0; i < dh; i += Lanes.LANES)                      // o = α·o + ΣP·V
                    FloatVector.fromArray(Lanes.F, out, o + i).fma(a, FloatVector.fromArray(Lanes.F, part, i)).intoArray(out, o + i);
            }
        }
        for (int h = 0; h < heads; h++) {
            float inv = 1f / ml[2 * h + 1];
            for (int i = 0, o = o0 + h * dh; i < dh; i += Lanes.LANES)
                FloatVector.fromArray(Lanes.F, out, o + i).mul(inv).intoArray(out, o + i);
        }
    }
}
