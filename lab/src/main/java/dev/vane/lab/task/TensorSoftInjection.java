package dev.vane.lab.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The soft-injection mix of steering's {@code SoftInjection} on tensors, differentiable in
 * {@code alpha}, for training it under autograd (head selection): at position {@code t} every
 * head's output becomes {@code z − α·(z − ē)} in f32, cast back to the input's dtype. The
 * served form is the array one; a test keeps the two equal.
 */
public final class TensorSoftInjection {

    private TensorSoftInjection() {}

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
}
