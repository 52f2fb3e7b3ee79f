package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The soft-injection mix of "Soft Injection of Task Embeddings" (arXiv 2507.20906, eq. 3): at one
 * position {@code t} of a row, every head's output before {@code o_proj} becomes
 * {@code z̃_h = (1 − α_h)·z_h + α_h·ē_h}, computed as {@code z − α·(z − ē)} in f32 and cast back,
 * so that {@code α = 0} and {@code ē = z} leave {@code z} bit for bit. Other positions pass
 * unchanged. Differentiable in {@code alpha} (the calibration trains it under autograd); the
 * plan's {@link TaskEffect} and the calibration share this one formula.
 */
public final class SoftInjection {

    private SoftInjection() {}

    /**
     * @param x         one row's head outputs {@code [1, T, H, Dh]}
     * @param t         the position to mix, {@code 0 <= t < T}
     * @param alpha     mixing weights {@code [H, 1]} f32, in {@code [0, 1]}
     * @param embedding task embedding ē of this layer {@code [H, Dh]} f32
     * @return {@code [1, T, H, Dh]} in {@code x}'s dtype
     */
    public static NDArray at(NDArray x, int t, NDArray alpha, NDArray embedding) {
        long steps = x.getShape().get(1);
        if (t < 0 || t >= steps) throw new IllegalArgumentException("position " + t + " outside a step of " + steps);
        DataType dtype = x.getDataType();
        NDArray z = x.get(new NDIndex(":, {}", t));                                   // [1, H, Dh]
        NDArray z32 = dtype == DataType.FLOAT32 ? z : z.toType(DataType.FLOAT32, false);
        NDArray mixed = z32.sub(z32.sub(embedding).mul(alpha));                       // [1, H, Dh]
        if (dtype != DataType.FLOAT32) mixed = mixed.toType(dtype, false);
        mixed = mixed.expandDims(1);                                                  // [1, 1, H, Dh]
        NDList parts = new NDList(3);
        if (t > 0) parts.add(x.get(new NDIndex(":, :{}", t)));                       // [1, t, H, Dh]
        parts.add(mixed);
        if (t + 1 < steps) parts.add(x.get(new NDIndex(":, {}:", t + 1)));           // [1, T-t-1, H, Dh]
        return parts.size() == 1 ? mixed : NDArrays.concat(parts, 1);
    }

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
