package dev.vane.steering.lac;

/**
 * The L2 Adaptive Computation rule of "Void in Language Models" (arXiv 2505.14467), decided
 * layer by layer for one token inside a forward pass:
 *
 * <pre>
 *   n_-1 = ||h_-1[t]||,  n_l = ||h_l[t]||,  Δ_l = n_l − n_{l−1}           (signed)
 *   τ_0 = 0,  τ_l = α · (max_{j<l} Δ_j − min_{j<l} Δ_j)
 *   active_l[t] = Δ_l ≥ τ_l
 * </pre>
 *
 * {@code h_-1} is the embedding output (the residual entering layer 0). One instance follows one
 * token: feed {@link #start} the embedding norm, then {@link #observe} each layer's output norm
 * in order.
 */
public final class LacRule {

    private final double alpha;
    private double previous;
    private double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
    private int layer;

    public LacRule(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        this.alpha = alpha;
    }

    /** Begins a token with {@code n_-1}, the norm of its embedding. */
    public LacRule start(double embeddingNorm) {
        previous = embeddingNorm;
        max = Double.NEGATIVE_INFINITY;
        min = Double.POSITIVE_INFINITY;
        layer = 0;
        return this;
    }

    /** The threshold τ for the next layer (0 for layer 0 and, since max = min, for layer 1). */
    public double threshold() {
        return layer == 0 ? 0 : alpha * (max - min);
    }

    /** Feeds {@code n_l} for the next layer and returns whether that layer is active. */
    public boolean observe(double norm) {
        double delta = norm - previous;
        boolean active = delta >= threshold();
        max = Math.max(max, delta);
        min = Math.min(min, delta);
        previous = norm;
        layer++;
        return active;
    }

    /** The whole rule over {@code norms = [n_-1, n_0, ..., n_{L-1}]}: which of the L layers are active. */
    public static boolean[] active(double[] norms, double alpha) {
        if (norms.length < 2) throw new IllegalArgumentException("need n_-1 and at least one layer norm");
        LacRule r = new LacRule(alpha).start(norms[0]);
        boolean[] out = new boolean[norms.length - 1];
        for (int l = 0; l < out.length; l++) out[l] = r.observe(norms[l + 1]);
        return out;
    }
}
