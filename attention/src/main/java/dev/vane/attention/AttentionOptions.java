package dev.vane.attention;

/**
 * The training-free choices about how a model's attention runs: the softmax algorithm and the
 * log-n query scaling of softmax models ({@link LengthScale.LogN}). Neither applies to a model
 * trained with another kernel, which refuses them ({@link AttentionKind#kernel}).
 */
public record AttentionOptions(SoftmaxAlgorithm algorithm, LengthScale length) {

    public AttentionOptions {
        if (length instanceof LengthScale.Entropy)
            throw new IllegalArgumentException("the entropy length scale belongs to softplus attention (lssa), not to a softmax option");
    }

    /** Hugging Face's attention exactly: the reference algorithm, no length scale. */
    public static final AttentionOptions DEFAULT = new AttentionOptions(SoftmaxAlgorithm.REFERENCE, LengthScale.NONE);

    /** Whether these are the default options. */
    public boolean isDefault() { return equals(DEFAULT); }
}
