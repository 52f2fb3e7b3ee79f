package dev.vane.lab.controller;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The controller's training loss ("Guiding Giants", arXiv 2505.20309; methods.md §1), per row i
 * with label {@code y_i = 1} for harmful and 0 for benign prompts:
 * <pre>
 *   ℓ_i = BCEWithLogits(s_i, y_i) + y_i · 0.1 · ( mean_l |w_il − 0.5| + 0.01 · mean_l w_il )
 *   loss = mean_i ℓ_i
 * </pre>
 * The regulariser applies to harmful rows only (benign rows are not steered, so their layer
 * weights are left free). Minimising {@code |w − 0.5|} pulls every layer weight toward 0.5 (an
 * L1 pull: a weight the classification term does not need settles there), and the small
 * {@code 0.01 · mean w} term pulls them, weakly, toward 0 (fewer steered layers).
 * {@code BCEWithLogits(s, y) = max(s, 0) − s·y + log(1 + exp(−|s|))}, the overflow-free form.
 */
public final class ControllerLoss {

    /** Weight of the layer-weight regulariser. */
    public static final float REGULARISER_WEIGHT = 0.1f;
    /** Weight of the sparsity term {@code mean w} inside the regulariser. */
    public static final float SPARSITY_WEIGHT = 0.01f;

    /**
     * @param total       scalar loss to back-propagate
     * @param bce         scalar {@code mean_i BCEWithLogits(s_i, y_i)}
     * @param regulariser scalar {@code mean_i y_i·0.1·(...)}; {@code total = bce + regulariser}
     */
    public record Terms(NDArray total, NDArray bce, NDArray regulariser) {}

    private ControllerLoss() {}

    /**
     * @param s       {@code [B]} scale logits
     * @param w       {@code [B, L]} layer weights in (0, 1)
     * @param harmful {@code [B]} f32 labels, 1 harmful / 0 benign
     */
    public static Terms of(NDArray s, NDArray w, NDArray harmful) {
        if (s.getShape().dimension() != 1 || !harmful.getShape().equals(s.getShape())
                || w.getShape().dimension() != 2 || w.getShape().get(0) != s.getShape().get(0))
            throw new IllegalArgumentException("s and harmful must be [B] and w [B, L]; got s " + s.getShape()
                    + ", w " + w.getShape() + ", harmful " + harmful.getShape());
        NDArray bce = Activation.relu(s).sub(s.mul(harmful)).add(s.abs().neg().exp().add(1f).log()); // [B]
        NDArray spread = w.sub(0.5f).abs().mean(new int[] {1});                                     // [B]
        NDArray sparsity = w.mean(new int[] {1}).mul(SPARSITY_WEIGHT);                              // [B]
        NDArray reg = spread.add(sparsity).mul(harmful).mul(REGULARISER_WEIGHT);                    // [B]
        NDArray bceMean = bce.mean();
        NDArray regMean = reg.mean();
        return new Terms(bceMean.add(regMean), bceMean, regMean);
    }
}
