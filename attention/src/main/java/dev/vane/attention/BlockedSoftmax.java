package dev.vane.attention;

import ai.djl.ndarray.NDArray;

/**
 * What the two blocked softmax kernels share ({@link OnlineSoftmaxAttention},
 * {@link TwoPassSoftmaxAttention}): the head dimension, the block of keys, the logit scale with
 * its length scale, and the tensor form, which is the reference's (the reformulations change the
 * order of operations, not the function).
 */
abstract sealed class BlockedSoftmax implements Attention permits OnlineSoftmaxAttention, TwoPassSoftmaxAttention {

    final int dh, block;
    final float scale;
    final LengthScale length;
    private final SoftmaxAttention tensorForm;

    BlockedSoftmax(int headDim, int block, LengthScale length) {
        if (headDim <= 0) throw new IllegalArgumentException("head dim must be > 0, got " + headDim);
        if (block < 1) throw new IllegalArgumentException("block must be ≥ 1, got " + block);
        this.dh = headDim;
        this.block = block;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.length = length;
        this.tensorForm = new SoftmaxAttention(headDim, length);
    }

    @Override
    public int headDim() { return dh; }

    /** {@code softmax}, {@code softmax_logn} and the algorithm's suffix. */
    String label(String algorithm) {
        return (length instanceof LengthScale.LogN ? "softmax_logn_" : "softmax_") + algorithm;
    }

    @Override
    public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int groupSize) {
        return tensorForm.attend(q, k, v, mask, groupSize);
    }
}
