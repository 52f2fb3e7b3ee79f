package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Sigmoid attention (Ramapuram et al., "Theory, Analysis, and Best Practices for Sigmoid
 * Self-Attention", arXiv 2409.04431): each weight is a sigmoid of its own logit, with no row
 * normalisation,
 *
 * <pre>
 *   w_j = σ(q·k_j/√Dh + b)        out = Σ_j w_j·v_j
 * </pre>
 *
 * with a constant bias fixed at training, {@code b = −ln L} for a training length L (the paper's
 * choice, which keeps the row's total weight near 1 at that length). Blocks combine by plain
 * addition; masked keys (−∞) get weight exactly 0.
 */
public final class SigmoidAttention implements Attention {

    private static final int BLOCK = OnlineSoftmaxAttention.DEFAULT_BLOCK;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private final int dh;
    private final float scale, bias;

    public SigmoidAttention(int headDim, double bias) {
        if (headDim <= 0) throw new IllegalArgumentException("head dim must be > 0, got " + headDim);
        if (!Double.isFinite(bias)) throw new IllegalArgumentException("the sigmoid bias must be finite, got " + bias);
        this.dh = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.bias = (float) bias;
    }

    @Override
    public int headDim() { return dh; }

    @Override
    public String label() { return "sigmoid"; }

    /** {@code 1 / (1 + e^−z)}. */
    static float sigmoid(float z) {
        return 1f / (1f + Lanes.exp(-z));
    }

    @Override
    public void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0) {
        java.util.Arrays.fill(out, o0, o0 + heads * dh, 0f);
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < heads * BLOCK) scratch[0] = new float[heads * BLOCK];
        if (scratch[1].length < dh) scratch[1] = new float[dh];
        float[] s = scratch[0], part = scratch[1];
        for (int b0 = 0; b0 < n; b0 += BLOCK) {
            int len = Math.min(BLOCK, n - b0), k0 = kv0 + b0 * dh;
            for (int h = 0; h < heads; h++) {
                int s0 = h * BLOCK;
                Rows.scoreRow(dh, scale, q, q0 + h * dh, keys, k0, len, s, s0);
                for (int j = 0; j < len; j++) s[s0 + j] = sigmoid(s[s0 + j] + bias);
                Rows.mixValues(dh, s, s0, len, values, k0, part, 0, 1f);
                for (int i = 0, o = o0 + h * dh; i < dh; i++) out[o + i] += part[i];
            }
        }
    }

    @Override
    public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int groupSize) {
        NDArray z = q.matMul(k.transpose(0, 1, 3, 2)).muli(Scalars.of(q, scale)).addi(Scalars.of(q, bias));     // [B, G, R*T, K]
        if (mask != null) {
            Shape s = z.getShape();
            long b = s.get(0), g = s.get(1), rt = s.get(2), keys = s.get(3);
            z = z.reshape(b, g, groupSize, rt / groupSize, keys).add(mask).reshape(b, g, rt, keys);
        }
        return Activation.sigmoid(z).matMul(v);                                     // [B, G, R*T, Dh]
    }
}
