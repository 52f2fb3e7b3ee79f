package dev.vane.steering.vector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How well each layer's direction separates held-out pairs: the fraction of pairs whose positive
 * activation projects higher on the direction than its negative ({@code posᵢ·v > negᵢ·v}). 0.5 is
 * chance; a layer near 1 is a good place to steer. Shapes: N pairs, K layers, D hidden size.
 *
 * @param layers   the model layer of each of the K entries
 * @param accuracy per entry, in {@code [0, 1]}
 * @param pairs    N
 */
public record HeldOutEvaluation(List<Integer> layers, double[] accuracy, int pairs) {

    public HeldOutEvaluation {
        layers = List.copyOf(layers);
        accuracy = accuracy.clone();
        if (layers.size() != accuracy.length) throw new IllegalArgumentException("one accuracy per layer");
    }

    /**
     * @param pos        {@code [N][K][D]}
     * @param neg        {@code [N][K][D]}, pair i is {@code (pos[i], neg[i])}
     * @param directions {@code [K][D]}
     */
    public static HeldOutEvaluation evaluate(List<Integer> layers, float[][][] pos, float[][][] neg, float[][] directions) {
        VectorFitter.check(pos, neg, true);
        if (directions.length != pos[0].length) throw new IllegalArgumentException("one direction per layer");
        double[] acc = new double[directions.length];
        for (int l = 0; l < directions.length; l++) {
            int above = 0;
            for (int i = 0; i < pos.length; i++) {
                double p = 0;
                for (int j = 0; j < directions[l].length; j++) p += ((double) pos[i][l][j] - neg[i][l][j]) * directions[l][j];
                if (p > 0) above++;
            }
            acc[l] = (double) above / pos.length;
        }
        return new HeldOutEvaluation(layers, acc, pos.length);
    }

    @Override
    public double[] accuracy() { return accuracy.clone(); }

    /** The entry with the highest accuracy (the first of equals). */
    public int bestIndex() {
        int best = 0;
        for (int l = 1; l < accuracy.length; l++) if (accuracy[l] > accuracy[best]) best = l;
        return best;
    }

    public int bestLayer() { return layers.get(bestIndex()); }

    /**
     * Manifest metrics: {@code <prefix>.accuracy.layer.<l>} per layer, {@code <prefix>.accuracy.best},
     * {@code <prefix>.best_layer} and {@code <prefix>.pairs}.
     */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int l = 0; l < accuracy.length; l++) m.put(prefix + ".accuracy.layer." + layers.get(l), accuracy[l]);
        m.put(prefix + ".accuracy.best", accuracy[bestIndex()]);
        m.put(prefix + ".best_layer", (double) bestLayer());
        m.put(prefix + ".pairs", (double) pairs);
        return m;
    }

    /** A Markdown table of accuracy per layer, best marked. */
    public String table() {
        StringBuilder b = new StringBuilder("| layer | held-out accuracy |\n|---|---|\n");
        for (int l = 0; l < accuracy.length; l++)
            b.append(String.format(Locale.ROOT, "| %d | %.3f%s |%n", layers.get(l), accuracy[l], l == bestIndex() ? " (best)" : ""));
        return b.toString();
    }
}
