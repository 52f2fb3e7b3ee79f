package dev.vane.attention;

/**
 * Exact softmax attention by the two-pass algorithm (Dukhan and Ablavatski, "The Two-Pass
 * Softmax Algorithm", arXiv 2001.04438): each exponential is kept as a mantissa and a power of
 * two, {@code e^z = p·2^k}, so the row needs no maximum. Pass 1 accumulates the sum as
 * {@code (V, E)}: {@code E' = max(E, k)}, {@code V = V·2^(E−E') + p·2^(k−E')}. Pass 2 recomputes
 * the scores and mixes the values with {@code w = p·2^(k−E) / V}. Scores are computed block by
 * block in both passes, so, like {@link OnlineSoftmaxAttention}, memory does not grow with the
 * context; the price is computing every score twice.
 *
 * <p>The tensor form is the reference's.
 */
public final class TwoPassSoftmaxAttention extends BlockedSoftmax {

    /** Per thread: {@code [heads, block]} scores, {@code [block]} exponents then {@code [heads]} E, {@code [heads]} V, one block's {@code [Dh]} mix. */
    private static final ThreadLocal<Object[]> SCRATCH = ThreadLocal.withInitial(() -> new Object[] {new float[0], new int[0], new float[0], new float[0]});

    public TwoPassSoftmaxAttention(int headDim, int block, LengthScale length) {
        super(headDim, block, length);
    }

    @Override
    public String label() { return label("two_pass"); }

    @Override
    public void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0) {
        java.util.Arrays.fill(out, o0, o0 + heads * dh, 0f);
        if (n == 0) return;
        float sc = (float) (scale * length.at(n));
        Object[] scratch = SCRATCH.get();
        if (((float[]) scratch[0]).length < heads * block) scratch[0] = new float[heads * block];
        if (((int[]) scratch[1]).length < block + heads) scratch[1] = new int[block + heads];
        if (((float[]) scratch[2]).length < heads) scratch[2] = new float[heads];
        if (((float[]) scratch[3]).length < dh) scratch[3] = new float[dh];
        float[] s = (float[]) scratch[0], ve = (float[]) scratch[2], part = (float[]) scratch[3];
        int[] k = (int[]) scratch[1];
        java.util.Arrays.fill(k, block, block + heads, Integer.MIN_VALUE); // E per head
        java.util.Arrays.fill(ve, 0, heads, 0f);                             // V per head
        // pass 1: (V, E) = Σ_j p_j·2^(k_j), with V scaled to the largest exponent E
        for (int b0 = 0; b0 < n; b0 += block) {
            int len = Math.min(block, n - b0);
            for (int h = 0; h < heads; h++) {
                int s0 = h * block;
                Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, kv0 + b0 * dh, len, s, s0);
                float v = ve[h];
                int big = k[block + h];
                for (int j = 0; j < len; j++) {
                    int kj = Lanes.expSplit(s[s0 + j], s, s0 + j);
                    if (kj > big) {
                        v = big == Integer.MIN_VALUE ? s[s0 + j] : Math.scalb(v, big - kj) + s[s0 + j];
                        big = kj;
                    } else {
                        v += Math.scalb(s[s0 + j], kj - big);
                    }
                }
                ve[h] = v;
                k[block + h] = big;
            }
        }
        // pass 2: out = Σ_j p_j·2^(k_j − E)·v_j / V
        for (int b0 = 0; b0 < n; b0 += block) {
            int len = Math.min(block, n - b0), k0 = kv0 + b0 * dh;
            for (int h = 0; h < heads; h++) {
                int s0 = h * block;
                Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, k0, len, s, s0);
                for (int j = 0; j < len; j++) k[j] = Lanes.expSplit(s[s0 + j], s, s0 + j);
                for (int j = 0; j < len; j++) s[s0 + j] = Math.scalb(s[s0 + j], k[j] - k[block + h]);
                Rows.mixValues(dh, s, s0, len, values, k0, part, 0, 1f);
                for (int i = 0, o = o0 + h * dh; i < dh; i++) out[o + i] += part[i];
            }
        }
        for (int h = 0; h < heads; h++) {
            float inv = 1f / ve[h];
            for (int i = 0, o = o0 + h * dh; i < dh; i++) out[o + i] *= inv;
        }
    }
}
