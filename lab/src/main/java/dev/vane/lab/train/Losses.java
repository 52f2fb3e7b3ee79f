package dev.vane.lab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Differentiable losses over the model's outputs. */
public final class Losses {

    private Losses() {}

    /**
     * Mean next-token cross-entropy {@code -mean log p(target)} over positions whose target is
     * not negative (negative targets are ignored, e.g. padding or prompt tokens).
     *
     * @param logits  {@code [B, T, V]} f32
     * @param targets {@code [B][T]} token ids or -1
     */
    public static NDArray crossEntropy(NDArray logits, int[][] targets) {
        return crossEntropy(logits, targets, null);
    }

    /**
     * Weighted mean next-token cross-entropy {@code -Σ w·log p(target) / Σ w} over positions whose
     * target is not negative.
     *
     * @param weights {@code [B][T]} non-negative weights, or null for 1 everywhere
     */
    public static NDArray crossEntropy(NDArray logits, int[][] targets, float[][] weights) {
        NDManager m = logits.getManager();
        int b = targets.length, t = targets[0].length;
        long[] ids = new long[b * t];
        float[] weight = new float[b * t];
        double total = 0;
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++) {
                int y = targets[i][j];
                ids[i * t + j] = Math.max(y, 0);
                if (y >= 0) {
                    weight[i * t + j] = weights == null ? 1f : weights[i][j];
                    total += weight[i * t + j];
                }
            }
        if (total <= 0) throw new IllegalArgumentException("no target to score");
        NDArray index = m.create(ids, new Shape(b, t, 1));
        NDArray picked = logits.logSoftmax(2).gather(index, 2).reshape(b, t);             // [B, T]
        NDArray mask = m.create(weight, new Shape(b, t));
        return picked.mul(mask).sum().div(dev.vane.attention.Scalars.of(picked, (float) -total));
    }
}
