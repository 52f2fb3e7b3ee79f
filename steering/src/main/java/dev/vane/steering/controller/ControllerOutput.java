package dev.vane.steering.controller;

/**
 * One controller decision: the global scale logit {@code s} and per-layer weights
 * {@code w_l = sigmoid(z_l) ∈ (0, 1)}, {@code [L]}. The patch at layer l is
 * {@code g(s) · α_global · w_l · d̂} (arXiv 2505.20309; methods.md §1).
 */
public record ControllerOutput(float s, float[] w) {

    /** How the scale logit gates the patch. */
    public enum Gate {
        /** {@code g(s) = s}, as in the released code: a benign prompt (s &lt; 0) is pushed away from refusal. */
        RAW,
        /** {@code g(s) = sigmoid(s) ∈ (0, 1)}: benign prompts are never steered away from refusal. */
        SIGMOID
    }

    /** {@code g(s) · α · w_l}: the coefficient of {@code d̂} at {@code layer}. */
    public float scale(int layer, float alpha, Gate gate) {
        if (layer < 0 || layer >= w.length) throw new IllegalArgumentException("layer must be in [0, " + w.length + "), got " + layer);
        if (gate == null) throw new IllegalArgumentException("gate must not be null");
        float g = gate == Gate.RAW ? s : (float) (1 / (1 + Math.exp(-s)));
        return g * alpha * w[layer];
    }
}
