package dev.vane.attention;

import ai.djl.ndarray.NDArray;

/**
 * A row-dependent logit scale {@code λ(n)}, a function of the number {@code n} of keys a query
 * sees; it multiplies {@code s = 1/√Dh}, so {@code z_ij = λ(n_i)·s·q_i·k_j}.
 */
public sealed interface LengthScale {

    /** λ for a query that sees {@code n ≥ 1} keys. */
    double at(int n);

    /** λ = 1: plain attention. */
    record None() implements LengthScale {
        @Override
        public double at(int n) { return 1; }
    }

    /**
     * Training-free log-n scaling of a softmax model: {@code λ = max(1, ln n / ln L)} with
     * {@code L} the length the model was trained at (Qwen's {@code use_logn_attn}; Su's
     * entropy-invariant attention), so nothing changes up to {@code L} and beyond it the logits
     * sharpen as the entropy of a longer row would otherwise grow.
     */
    record LogN(int trainLength) implements LengthScale {
        public LogN {
            if (trainLength < 2) throw new IllegalArgumentException("log-n scaling needs a training length ≥ 2, got " + trainLength);
        }

        @Override
        public double at(int n) { return Math.max(1, Math.log(n) / Math.log(trainLength)); }
    }

    /**
     * The length scale of softplus attention (LSSA): {@code λ = ln n / ln L}, equal to 1 at the
     * training length {@code L}, below it for shorter rows and above it for longer ones.
     */
    record Entropy(int trainLength) implements LengthScale {
        public Entropy {
            if (trainLength < 2) throw new IllegalArgumentException("the length scale needs a training length ≥ 2, got " + trainLength);
        }

        @Override
        public double at(int n) { return Math.log(n) / Math.log(trainLength); }
    }

    LengthScale NONE = new None();

    /**
     * The tensor form: λ for every query of a step, from the number of keys its mask leaves
     * visible ({@code keys} when there is no mask).
     *
     * @param scores {@code [B, G, R, T, K]} the logits the scale will multiply (for the shape and manager)
     * @param mask   additive mask broadcastable to {@code [B, G, R, T, K]}, or null
     * @return λ broadcastable to {@code [B, G, R, T, 1]}
     */
    default NDArray tensor(NDArray scores, NDArray mask) {
        long keys = scores.getShape().get(4);
        NDArray n = mask == null
                ? scores.getManager().full(new ai.djl.ndarray.types.Shape(1, 1, 1, 1, 1), (float) keys)
                : mask.eq(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).sum(new int[] {4}, true);
        return switch (this) {
            case None x -> n.onesLike();
            case LogN l -> n.maximum(Scalars.of(n, 1)).log().div(Scalars.of(n, Math.log(l.trainLength()))).maximum(Scalars.of(n, 1));
            case Entropy e -> n.maximum(Scalars.of(n, 1)).log().div(Scalars.of(n, Math.log(e.trainLength())));
        };
    }
}
