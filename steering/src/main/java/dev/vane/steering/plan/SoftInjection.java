package dev.vane.steering.plan;

/**
 * The soft-injection mix of "Soft Injection of Task Embeddings" (arXiv 2507.20906, eq. 3): at one
 * position {@code t} of a row, every head's output before {@code o_proj} becomes
 * {@code z̃_h = (1 − α_h)·z_h + α_h·ē_h}, computed as {@code z − α·(z − ē)} in f32, so that
 * {@code α = 0} and {@code ē = z} leave {@code z} bit for bit. Other positions pass unchanged.
 * The calibration trains α through a differentiable twin of this formula on tensors (lab
 * module, {@code TensorSoftInjection}), tested equal to this one.
 */
public final class SoftInjection {

    private SoftInjection() {}

    /**
     * The same mix on one row's head outputs in a Java array: {@code x[offset ..]} holds
     * {@code [1, T, H, Dh]} f32 row-major; position {@code t} of head {@code h} becomes
     * {@code z − α_h·(z − ē_h)}.
     *
     * @param alpha     {@code [H]}, this layer's weights
     * @param embedding {@code [H·Dh]}, this layer's ē
     */
    public static void at(float[] x, int offset, int t, int heads, int headDim, float[] alpha, int alphaOffset,
                          float[] embedding, int embeddingOffset) {
        int base = offset + t * heads * headDim;
        for (int h = 0; h < heads; h++) {
            float a = alpha[alphaOffset + h];
            for (int i = 0; i < headDim; i++) {
                int k = h * headDim + i;
                float z = x[base + k];
                x[base + k] = z - a * (z - embedding[embeddingOffset + k]);
            }
        }
    }
}
