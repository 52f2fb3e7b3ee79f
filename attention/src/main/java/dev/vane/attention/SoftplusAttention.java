package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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
 * <p>The weights are computed eight at a time ({@link #weights}): {@code e^−|z|} by {@link Lanes#exp}
 * and {@code ln(1 + y)} by a short series, both fixed sequences of IEEE operations, so a row's
 * weights are the same bits in every batch and JIT tier; p = 1, 1.5, 2, 3, 4 stay in vectors,
 * other powers go through {@code StrictMath.pow} one weight at a time.
 *
 * <p>Softplus grows linearly, so no maximum is subtracted and blocks combine by plain addition;
 * sums stay in f32. {@code softplus(0) = ln 2}: masked keys must be −∞ in the tensor form (they
 * are, from {@link AttentionMask}), and the array form only ever sees visible keys. A row whose
 * weights all underflow to 0, or that sees no key, gives 0.
 */
public final class SoftplusAttention implements Attention {

    private static final int BLOCK = OnlineSoftmaxAttention.DEFAULT_BLOCK;
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int LANES = Lanes.LANES;
    /** Per thread: {@code [heads, block]} weights, one block's {@code [Dh]} mix with the heads' sums, {@code [block]} exponentials. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

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

    // ln(1 + y) for y in [0, 1] as 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + …) with s = y / (2 + y), or, above
    // √2 − 1, as ln 2 + 2·atanh(s) with s = (y − 1) / (y + 3) (that is ln((1 + y) / 2)): |s| ≤ 0.172, so six
    // terms leave a relative error below 1e-10, and s keeps the relative accuracy of a tiny y
    private static final float SPLIT = 0.41421356f;
    private static final float LN2 = 0.6931472f;
    private static final float[] ATANH = {1f / 11, 1f / 9, 1f / 7, 1f / 5, 1f / 3, 1f};

    /**
     * {@code ln(1 + e^z) = max(z, 0) + ln(1 + e^−|z|)}: {@link Lanes#exp} of {@code −|z|}, then the
     * series above, operation for operation as the vector loop of {@link #weights}.
     */
    static float softplus(float z) {
        float y = Lanes.exp(-Math.abs(z));
        boolean big = y > SPLIT;
        float s = (y + (big ? -1f : 0f)) / (y + (big ? 3f : 2f)), s2 = s * s;
        float p = ATANH[0];
        for (int i = 1; i < ATANH.length; i++) p = Math.fma(p, s2, ATANH[i]);
        return Math.max(z, 0f) + Math.fma(s + s, p, big ? LN2 : 0f);
    }

    /** {@code u^p}: exact products for p = 1, 2, 3, 4, {@code u·√u} for 1.5. */
    float reweight(float u) {
        if (power == 1) return u;
        if (power == 2) return u * u;
        if (power == 3) return u * u * u;
        if (power == 4) { float u2 = u * u; return u2 * u2; }
        if (power == 1.5) return u * (float) Math.sqrt(u);
        return (float) StrictMath.pow(u, power);
    }

    /**
     * {@code s[s0 + j] = softplus(s[s0 + j])^p} for {@code j < len}, each equal to {@link #softplus}
     * and {@link #reweight} of its logit; returns their sum (lanes by {@link Lanes#sum}'s tree, then
     * the tail in order). {@code e} is scratch of {@code len} floats.
     */
    float weights(float[] s, int s0, int len, float[] e) {
        int j = 0;
        for (; j + LANES <= len; j += LANES) FloatVector.fromArray(F, s, s0 + j).abs().neg().intoArray(e, j);
        for (; j < len; j++) e[j] = -Math.abs(s[s0 + j]);
        Lanes.exp(e, 0, len, 1f, 0f, e, 0);                                    // y = e^−|z|
        FloatVector split = FloatVector.broadcast(F, SPLIT), ln2 = FloatVector.broadcast(F, LN2), zero = FloatVector.zero(F);
        FloatVector minusOne = FloatVector.broadcast(F, -1f), two = FloatVector.broadcast(F, 2f), three = FloatVector.broadcast(F, 3f);
        boolean fast = power == 1 || power == 2 || power == 3 || power == 4 || power == 1.5;
        FloatVector acc = FloatVector.zero(F);
        j = 0;
        for (; fast && j + LANES <= len; j += LANES) {
            FloatVector y = FloatVector.fromArray(F, e, j), z = FloatVector.fromArray(F, s, s0 + j);
            VectorMask<Float> big = y.compare(VectorOperators.GT, split);
            FloatVector sv = y.add(zero.blend(minusOne, big)).div(y.add(two.blend(three, big))), s2 = sv.mul(sv);
            FloatVector p = FloatVector.broadcast(F, ATANH[0]);
            for (int i = 1; i < ATANH.length; i++) p = p.fma(s2, FloatVector.broadcast(F, ATANH[i]));
            FloatVector u = z.max(zero).add(sv.add(sv).fma(p, zero.blend(ln2, big)));
            if (power == 2) u = u.mul(u);
            else if (power == 3) u = u.mul(u).mul(u);
            else if (power == 4) { u = u.mul(u); u = u.mul(u); }
            else if (power == 1.5) u = u.mul(u.sqrt());
            u.intoArray(s, s0 + j);
            acc = acc.add(u);
        }
        acc = acc.add(acc.rearrange(Lanes.HALVES)); // Lanes.sum's tree, written out
        acc = acc.add(acc.rearrange(Lanes.PAIRS));
        acc = acc.add(acc.rearrange(Lanes.NEIGHBOURS));
        float sum = acc.lane(0);
        for (; j < len; j++) sum += s[s0 + j] = reweight(softplus(s[s0 + j]));
        return sum;
    }

    @Override
    public void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0) {
        java.util.Arrays.fill(out, o0, o0 + heads * dh, 0f);
        if (n == 0) return;
        float sc = (float) (scale * length.at(n));
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < heads * BLOCK) scratch[0] = new float[heads * BLOCK];
        if (scratch[1].length < dh + heads) scratch[1] = new float[dh + heads];
        if (scratch[2].length < BLOCK) scratch[2] = new float[BLOCK];
        float[] s = scratch[0], part = scratch[1], e = scratch[2];
        java.util.Arrays.fill(part, dh, dh + heads, 0f); // Σ u^p per head
        for (int b0 = 0; b0 < n; b0 += BLOCK) {
            int len = Math.min(BLOCK, n - b0), k0 = kv0 + b0 * dh;
            for (int h = 0; h < heads; h++) {
                int s0 = h * BLOCK;
                Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, k0, len, s, s0);
                part[dh + h] += weights(s, s0, len, e);
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
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(Scalars.of(q, scale)); // [B, G, R*T, K]
        Shape s = scores.getShape();
        long b = s.get(0), g = s.get(1), rt = s.get(2), keys = s.get(3);
        NDArray z = scores.reshape(b, g, groupSize, rt / groupSize, keys);         // [B, G, R, T, K]
        z = z.mul(length.tensor(z, mask));
        if (mask != null) z = z.add(mask);
        NDArray u = z.maximum(Scalars.of(z, 0)).add(z.abs().neg().exp().add(Scalars.of(z, 1)).log());          // softplus; −∞ → 0
        if (power != 1) u = u.pow(Scalars.of(u, power));
        NDArray w = u.div(u.sum(new int[] {4}, true).maximum(Scalars.of(u, Float.MIN_NORMAL)));   // a row with no weight gives 0
        return w.reshape(b, g, rt, keys).matMul(v);                                // [B, G, R*T, Dh]
    }
}
