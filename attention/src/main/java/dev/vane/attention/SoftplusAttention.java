package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Softplus attention with a length scale and re-weighting (Gao and Spratling, "Rethinking
 * softmax: self-attention with polynomial activations" line of work; arXiv 2501.13428, LSSA and
 * LSSAR): softmax is {@code exp} followed by l1 normalisation, and the normalisation is what
 * matters, so {@code exp} is replaced by {@code softplus(x) = ln(1 + e^x)} and the logits get the
 * entropy-invariant length scale {@code λ(n) = ln n / ln L} ({@link LengthScale.Entropy}, L the
 * training length):
 *
 * <pre>
 *   z_j = λ(n)·q·k_j/√Dh        u_j = softplus(z_j)        w_j = u_j^p / Σ_i u_i^p        out = Σ_j w_j·v_j
 * </pre>
 *
 * {@code p = 1} is LSSA; {@code p > 1} (LSSAR) sharpens the row, amplifying large weights and
 * suppressing small ones. The exact formulas of the paper could not be confirmed, so this is the
 * parameterised family the project's experiment measures (docs/attention.md).
 *
 * <p>Softplus grows linearly, so no maximum is subtracted and blocks combine by plain addition;
 * sums stay in f32. {@code softplus(0) = ln 2}: masked keys must be −∞ in the tensor form (they
 * are, from {@link AttentionMask}), and the array form only ever sees visible keys. A row whose
 * weights all underflow to 0, or that sees no key, gives 0.
 */
public final class SoftplusAttention implements Attention {

    private static final int BLOCK = OnlineSoftmaxAttention.DEFAULT_BLOCK;
    /** Per thread: {@code [heads, block]} weights and one block's {@code [Dh]} mix. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private final int dh;
    private final float scale;
    private final LengthScale.Entropy length;
    private final double power;

    /**
     * @param trainLength the sequence length the model was trained at (λ = 1 there)
     * @param power       the re-weighting exponent p ≥ 1; 1 is LSSA
     */
    public SoftplusAttention(int headDim, int trainLength, double power) {
        if (headDim <= 0) throw new IllegalArgumentException("head dim must be > 0, got " + headDim);
        if (!(power >= 1) || !Double.isFinite(power)) throw new IllegalArgumentException("the re-weighting power must be ≥ 1, got " + power);
        this.dh = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.length = new LengthScale.Entropy(trainLength);
        this.power = power;
    }

    @Override
    public int headDim() { return dh; }

    @Override
    public String label() { return power == 1 ? "lssa" : "lssar"; }

    /** {@code ln(1 + e^z)}, in an order that neither overflows nor depends on the JIT tier. */
    static float softplus(float z) {
        return z > 0 ? z + (float) StrictMath.log1p(Lanes.exp(-z)) : (float) StrictMath.log1p(Lanes.exp(z));
    }

    /** {@code u^p}: exact products for p = 1, 2, 3, 4. */
    private float reweight(float u) {
        if (power == 1) return u;
        if (power == 2) return u * u;
        if (power == 3) return u * u * u;
        if (power == 4) { float u2 = u * u; return u2 * u2; }
        return (float) StrictMath.pow(u, power);
    }

    @Override
    public void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0) {
        java.util.Arrays.fill(out, o0, o0 + heads * dh, 0f);
        if (n == 0) return;
        float sc = (float) (scale * length.at(n));
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < heads * BLOCK) scratch[0] = new float[heads * BLOCK];
        if (scratch[1].length < dh + heads) scratch[1] = new float[dh + heads];
        float[] s = scratch[0], part = scratch[1];
        java.util.Arrays.fill(part, dh, dh + heads, 0f); // Σ u^p per head
        for (int b0 = 0; b0 < n; b0 += BLOCK) {
            int len = Math.min(BLOCK, n - b0), k0 = kv0 + b0 * dh;
            for (int h = 0; h < heads; h++) {
                int s0 = h * BLOCK;
                Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, k0, len, s, s0);
                float sum = 0f;
                for (int j = 0; j < len; j++) sum += s[s0 + j] = reweight(softplus(s[s0 + j]));
                part[dh + h] += sum;
                Rows.mixValues(dh, s, s0, len, values, k0, part, 0, 1f);
                for (int i = 0, o = o0 + h * dh; i < dh; i++) out[o + i] += part[i];
            }
        }
        for (int h = 0; h < heads; h++) {
            float total = part[dh + h], inv = total > 0 ? 1f / total : 0f;
            for (int i = 0, o = o0 + h * dh; i < dh; i++) out[o + i] *= inv;
        }
    }

    @Override
    public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int groupSize) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(scale); // [B, G, R*T, K]
        Shape s = scores.getShape();
        long b = s.get(0), g = s.get(1), rt = s.get(2), keys = s.get(3);
        NDArray z = scores.reshape(b, g, groupSize, rt / groupSize, keys);         // [B, G, R, T, K]
        z = z.mul(length.tensor(z, mask));
        if (mask != null) z = z.add(mask);
        NDArray u = z.maximum(0f).add(z.abs().neg().exp().add(1f).log());          // softplus; −∞ → 0
        if (power != 1) u = u.pow((float) power);
        NDArray w = u.div(u.sum(new int[] {4}, true).maximum(Float.MIN_NORMAL));   // a row with no weight gives 0
        return w.reshape(b, g, rt, keys).matMul(v);                                // [B, G, R*T, Dh]
    }
}
