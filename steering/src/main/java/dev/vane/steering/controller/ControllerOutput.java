package dev.vane.steering.controller;

/**
 * One controller decision: the global scale logit {@code s} and per-layer weights
 * {@code w_l = sigmoid(z_l) ∈ (0, 1)}, {@code [L]}. The patch at layer l is
 * {@code s · α_global · w_l · d̂} (arXiv 2505.20309).
 */
public record ControllerOutput(float s, float[] w) {

    /** {@code s · α · w_l}: the coefficient of {@code d̂} at {@code layer}. */
    public float scale(int layer, float alpha) {
        if (layer < 0 || layer >= w.length) throw new IllegalArgumentException("layer must be in [0, " + w.length + "), got " + layer);
        return s * alpha * w[layer];
    }
}
