package dev.vane.steering.gact;

/**
 * G-ACT inference (arXiv 2506.18887; methods.md §2 step 4): at a selected layer l, the probe
 * reads the row's residual activation {@code a_l[t]} and the steering delta is
 * <pre>
 *   ARGMAX:  α · μ_l,c*            c* = argmax_c p_l(a)_c
 *   SOFT:    α · Σ_c p_l(a)_c μ_l,c
 * </pre>
 * which the caller adds to {@code a_l[t]} (in f32). Plain Java, k·D multiply-adds for the probe
 * and k·D for the delta, meant for the engine thread per row per selected layer.
 *
 * <p>Immutable: {@link #refine} returns a new selector, so a hook can swap it atomically.
 */
public final class GactSelector {

    /** How the probe's distribution becomes one delta. */
    public enum Mode { ARGMAX, SOFT }

    /**
     * @param cluster       argmax cluster (also reported in SOFT mode, for the trace and metrics)
     * @param probabilities probe distribution {@code [k]}
     * @param delta         {@code [D]} steering delta to add to the activation
     */
    public record Selection(int cluster, float[] probabilities, float[] delta) {}

    private final GactWeights weights;

    public GactSelector(GactWeights weights) {
        if (weights == null) throw new IllegalArgumentException("weights must not be null");
        this.weights = weights;
    }

    public GactWeights weights() { return weights; }

    /** Whether {@code layer} has fitted directions and a probe. */
    public boolean covers(int layer) { return weights.layers().containsKey(layer); }

    /** Chooses the steering delta for activation {@code a [D]} at {@code layer}. */
    public Selection select(int layer, float[] a, Mode mode, float alpha) {
        GactWeights.Layer l = layer(layer);
        if (mode == null) throw new IllegalArgumentException("mode must not be null");
        float[] p = l.probe().probabilities(a);
        int best = 0;
        for (int c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
        float[][] mu = l.directions();
        float[] delta = new float[a.length];
        if (mode == Mode.ARGMAX) {
            for (int j = 0; j < delta.length; j++) delta[j] = alpha * mu[best][j];
        } else {
            for (int c = 0; c < p.length; c++) {
                float scale = alpha * p[c];
                for (int j = 0; j < delta.length; j++) delta[j] += scale * mu[c][j];
            }
        }
        return new Selection(best, p, delta);
    }

    /**
     * Online refinement (methods.md §2 step 5): a few SGD steps on {@code layer}'s probe from
     * labelled activations {@code a [N][D]} → cluster ids {@code y [N]}; the LLM is never touched.
     */
    public GactSelector refine(int layer, float[][] a, int[] y, int steps, double lr) {
        return new GactSelector(weights.withProbe(layer, layer(layer).probe().refine(a, y, steps, lr)));
    }

    private GactWeights.Layer layer(int layer) {
        GactWeights.Layer l = weights.layers().get(layer);
        if (l == null) throw new IllegalArgumentException("layer " + layer + " has no G-ACT probe");
        return l;
    }
}
