package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars for tensor operations that autograd may read again in the backward pass. DJL turns a
 * number argument ({@code x.mul(0.5f)}) into a tensor over a direct buffer that only its Java
 * object keeps alive, and closes that object as soon as the operation returns; the graph still
 * holds the tensor, and a garbage collection before the backward frees its memory (gradients then
 * read whatever lies there, and training ends in NaN). A scalar made here is PyTorch's own.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code value} as a 0-d tensor of {@code like}'s type, in its manager. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
