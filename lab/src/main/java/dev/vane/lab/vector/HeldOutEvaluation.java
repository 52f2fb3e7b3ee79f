package dev.vane.lab.vector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How well each layer's direction separates held-out pairs.
 * <ul>
 *   <li>accuracy: the fraction of pairs whose positive activation projects higher on the
 *       direction than its negative ({@code posᵢ·v > negᵢ·v}); 0.5 is chance, near 1 is a good
 *       place to steer;</li>
 *   <li>cosine: the mean cosine between each pair's difference {@code posᵢ − negᵢ} and the
 *       direction, in [−1, 1]. Accuracy saturates at 1 on easy data in many layers at once; the
 *       cosine still says in which layer the direction explains most of the difference, and it
 *       breaks ties when choosing the best layer.</li>
 * </ul>
 * Shapes: N pairs, K layers, D hidden size.
 *
 * @param layers   the model layer of each of the K entries
 * @param accuracy per entry, in {@code [0, 1]}
 * @param cosine   per entry, in {@code [-1, 1]}
 * @param pairs    N
 */
public record HeldOutEvaluation(List<Integer> layers, double[] accuracy, double[] cosine, int pairs) {

    public HeldOutEvaluation {
        layers = List.copyOf(layers);
        accuracy = accuracy.clone();
        cosine = cosine.clone();
        if (layers.size() != accuracy.length || layers.size() != cosine.length)
            throw new IllegalArgumentException("one accuracy and one cosine per layer");
    }

    /**
     * @param pos        {@code [N][K][D]}
     * @param neg        {@code [N][K][D]}, pair i is {@code (pos[i], neg[i])}
     * @param directions {@code [K][D]}
     */
    public static HeldOutEvaluation evaluate(List<Integer> layers, float[][][] pos, float[][][] neg, float[][] directions) {
        VectorFitter.check(pos, neg, true);
        if (directions.length != pos[0].length) throw new IllegalArgumentException("one direction per layer");
        double[] acc = new double[directions.length], cos = new double[directions.length];
        for (int l = 0; l < directions.length; l++) {
            double vNorm = 0;
            for (float f : directions[l]) vNorm += (double) f * f;
            vNorm = Math.sqrt(vNorm);
            int above = 0;
            double cosSum = 0;
            for (int i = 0; i < pos.length; i++) {
                double p = 0, dNorm = 0;
                for (int j = 0; j < directions[l].length; j++) {
                    double d = (double) pos[i][l][j] - neg[i][l][j];
                    p += d * directions[l][j];
                    dNorm += d * d;
                }
                if (p > 0) above++;
                if (dNorm > 0 && vNorm > 0) cosSum += p / (Math.sqrt(dNorm) * vNorm);
            }
            acc[l] = (double) above / pos.length;
            cos[l] = cosSum / pos.length;
        }
        return new HeldOutEvaluation(layers, acc, cos, pos.length);
    }

    @Override
    public double[] accuracy() { return accuracy.clone(); }

    @Override
    public double[] cosine() { return cosine.clone(); }

    /** The entry with the highest accuracy, ties broken by the higher cosine. */
    public int bestIndex() {
        int best = 0;
        for (int l = 1; l < accuracy.length; l++)
            if (accuracy[l] > accuracy[best] || accuracy[l] == accuracy[best] && cosine[l] > cosine[best]) best = l;
        return best;
    }

    public int bestLayer() { return layers.get(bestIndex()); }

    /**
     * Manifest metrics: {@code <prefix>.accuracy.layer.<l>} and {@code <prefix>.cosine.layer.<l>}
     * per layer, {@code <prefix>.accuracy.best},
     * {@code <prefix>.best_layer} and {@code <prefix>.pairs}.
     */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int l = 0; l < accuracy.length; l++) {
            m.put(prefix + ".accuracy.layer." + layers.get(l), accuracy[l]);
            m.put(prefix + ".cosine.layer." + layers.get(l), cosine[l]);
        }
        m.put(prefix + ".accuracy.best", accuracy[bestIndex()]);
        m.put(prefix + ".best_layer", (double) bestLayer());
        m.put(prefix + ".pairs", (double) pairs);
        return m;
    }

    /** A Markdown table of accuracy and cosine per layer, best marked. */
    public String table() {
        StringBuilder b = new StringBuilder("| layer | held-out accuracy | mean cosine |\n|---|---|---|\n");
        for (int l = 0; l < accuracy.length; l++)
            b.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f%s |%n", layers.get(l), accuracy[l], cosine[l],
                    l == bestIndex() ? " (best)" : ""));
        return b.toString();
    }
}
