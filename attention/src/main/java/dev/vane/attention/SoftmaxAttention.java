package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The reference kernel, exactly Hugging Face's eager attention:
 * {@code softmax(λ(n)·s·q·kᵀ + mask) · v} with {@code s = 1/sqrt(Dh)} and the length scale
 * {@code λ} ({@link LengthScale.None} for Hugging Face models as trained; {@link LengthScale.LogN}
 * for the training-free log-n retrofit).
 *
 * <p>Array form: the whole score row of each head ({@link Rows#scoreRow}), its maximum, the
 * exponentials and their sum ({@link Lanes#exp}), then {@code out = Σ_j p_j·V[j] / Σp}
 * ({@link Rows#mixValues}). A row that sees no key gives 0, never NaN, in both forms.
 */
public final class SoftmaxAttention implements Attention {

    /** Per thread: one item's scores {@code [heads, n]}, grown as positions grow. */
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    private final int dh;
    private final float scale;
    private final LengthScale length;

    public SoftmaxAttention(int headDim) {
        this(headDim, LengthScale.NONE);
    }

    public SoftmaxAttention(int headDim, LengthScale length) {
        if (headDim <= 0) throw new IllegalArgumentException("head dim must be > 0, got " + headDim);
        this.dh = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.length = length;
    }

    @Override
    public int headDim() { return dh; }

    @Override
    public String label() { return length instanceof LengthScale.LogN ? "softmax_logn" : "softmax"; }

    @Override
    public void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0) {
        if (n == 0) {
            java.util.Arrays.fill(out, o0, o0 + heads * dh, 0f);
            return;
        }
        float sc = (float) (scale * length.at(n));
        float[] s = SCORES.get();
        if (s.length < heads * n) SCORES.set(s = new float[Math.max(heads * n, 2 * s.length)]); // doubling: a growing prompt reallocates log(n) times, not n
        for (int h = 0; h < heads; h++) Rows.scoreRow(dh, sc, q, q0 + h * dh, keys, kv0, n, s, h * n);
        for (int h = 0; h < heads; h++) {
            int s0 = h * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, s[s0 + j]);
            float inv = 1f / Lanes.exp(s, s0, n, 1f, max, s, s0);
            Rows.mixValues(dh, s, s0, n, values, kv0, out, o0 + h * dh, inv);
        }
    }

    @Override
    public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int groupSize) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(Scalars.of(q, scale)); // [B, G, R*T, K]
        if (mask == null && length instanceof LengthScale.None) return scores.softmax(3).matMul(v);
        Shape s = scores.getShape();
        long b = s.get(0), g = s.get(1), rt = s.get(2), keys = s.get(3);
        NDArray z = scores.reshape(b, g, groupSize, rt / groupSize, keys);         // [B, G, R, T, K]
        if (!(length instanceof LengthScale.None)) z = z.mul(length.tensor(z, mask));
        if (mask != null) z = z.add(mask);
        NDArray w = z.softmax(4);
        if (mask != null) w = ai.djl.ndarray.NDArrays.where(w.isNaN(), w.zerosLike(), w); // rows with no visible key
        return w.reshape(b, g, rt, keys).matMul(v);                                // [B, G, R*T, Dh]
    }
}
