package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The reference kernel, exactly Hugging Face's eager attention:
 * {@code softmax(q·kᵀ·s + mask) · v} with {@code s = 1/sqrt(D)}.
 */
public final class SoftmaxAttention implements AttentionKernel {

    private final NDArray scale; // scalar constant, created once

    /** @param scale a 0-d or 1-element f32 array holding {@code 1/sqrt(headDim)} */
    public SoftmaxAttention(NDArray scale) {
        this.scale = scale;
    }

    @Override
    public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int groupSize) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(scale); // [B, G, R*T, K]
        if (mask != null) {
            Shape s = scores.getShape();
            long b = s.get(0), g = s.get(1), rt = s.get(2), keys = s.get(3);
            scores = scores.reshape(b, g, groupSize, rt / groupSize, keys).addi(mask).reshape(b, g, rt, keys);
        }
        return scores.softmax(3).matMul(v); // [B, G, R*T, D]
    }
}
