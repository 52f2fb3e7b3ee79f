package dev.vane.lab.gact;

import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.steering.gact.Vec;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Fits G-ACT (arXiv 2506.18887; methods.md §2) from cached activations of contrastive prompt
 * pairs, one layer at a time:
 * <ol>
 *   <li>{@code δ_i,l = a_l(explicit_i) − a_l(neutral_i)} at the last prompt token;</li>
 *   <li>k-means on the training prompts' δ (k = 3 by default) → directions {@code μ_l,c}, the
 *       cluster means of δ (so injecting μ moves a neutral activation the way the concept does);</li>
 *   <li>a softmax probe predicting the cluster id from the <em>neutral</em> activation — at
 *       inference only the unsteered activation is available, so the probe must read the
 *       concept's flavour from it;</li>
 *   <li>held-out probe accuracy per layer: held-out prompts are labelled by the nearest training
 *       centroid of their δ, and scored against the probe's prediction from their neutral
 *       activation. This is the headline metric of the paper (probe classification accuracy).</li>
 * </ol>
 * The split is by prompt and seeded, so the same prompts are held out at every layer and in
 * {@link ActBaseline}.
 *
 * <p>Shapes: N prompts, L layers, D hidden size; inputs are {@code float[N][L][D]}.
 */
public final class GactFit {

    /**
     * @param clusters        k steering directions per layer
     * @param heldOutFraction fraction of prompts held out for the accuracy report
     * @param seed            split and k-means seed
     * @param kmeansRestarts  k-means++ restarts per layer (best inertia kept)
     * @param probe           probe fit parameters
     */
    public record Config(int clusters, double heldOutFraction, long seed, int kmeansRestarts, SoftmaxProbe.Config probe) {
        public Config {
            if (clusters < 2) throw new IllegalArgumentException("clusters must be >= 2, got " + clusters);
            if (!(heldOutFraction > 0 && heldOutFraction < 1))
                throw new IllegalArgumentException("heldOutFraction must be in (0, 1), got " + heldOutFraction);
            if (kmeansRestarts < 1) throw new IllegalArgumentException("kmeansRestarts must be >= 1, got " + kmeansRestarts);
            if (probe == null) throw new IllegalArgumentException("probe must not be null");
        }

        /** k = 3 (the paper's and ACT's choice), 20% held out, 4 restarts, default probe. */
        public static Config defaults(long seed) {
            return new Config(3, 0.2, seed, 4, SoftmaxProbe.Config.defaults());
        }
    }

    /**
     * Per-layer fit report.
     *
     * @param layer                 model layer index
     * @param probeTrainAccuracy    probe accuracy on the training prompts
     * @param probeHeldOutAccuracy  probe accuracy on the held-out prompts (headline metric)
     * @param clusterSizes          training prompts per cluster, {@code [k]}
     * @param heldOutChance         the held-out accuracy of always naming the most frequent held-out
     *                              cluster: the probe's matched chance (at least 1/k, more when the
     *                              clusters are unequal)
     */
    public record LayerReport(int layer, double probeTrainAccuracy, double probeHeldOutAccuracy, int[] clusterSizes,
                              double heldOutChance) {}

    /** The fitted state and one report per fitted layer, in layer order. */
    public record Result(GactWeights weights, List<LayerReport> reports) {}

    private GactFit() {}

    /** The accuracy of always answering the most frequent of {@code labels} (in {@code [0, k)}): a classifier's matched chance. */
    static double majorityShare(int[] labels, int k) {
        if (labels.length == 0) return Double.NaN;
        int[] n = new int[k];
        int most = 0;
        for (int y : labels) most = Math.max(most, ++n[y]);
        return (double) most / labels.length;
    }

    /** Fits every layer of {@code neutral}/{@code explicit} ({@code [N][L][D]}). */
    public static Result fit(float[][][] neutral, float[][][] explicit, Config cfg) {
        int layers = Pairs.check(neutral, explicit);
        int[] all = new int[layers];
        for (int l = 0; l < layers; l++) all[l] = l;
        return fit(neutral, explicit, all, cfg);
    }

    /** Fits the given layers (indices into the L axis, which are the model's layer indices). */
    public static Result fit(float[][][] neutral, float[][][] explicit, int[] layers, Config cfg) {
        Pairs.check(neutral, explicit);
        return fit(neutral, explicit, layers, Split.of(neutral.length, cfg.heldOutFraction(), cfg.seed()), cfg);
    }

    /**
     * Fits the given layers holding out the given prompts (e.g. a data file's own split) instead
     * of a seeded {@code heldOutFraction}; {@link ActBaseline} has the same overload.
     *
     * @param heldOut distinct prompt indices in {@code [0, N)}, at least one, not all
     */
    public static Result fit(float[][][] neutral, float[][][] explicit, int[] layers, int[] heldOut, Config cfg) {
        Pairs.check(neutral, explicit);
        return fit(neutral, explicit, layers, Split.given(neutral.length, heldOut), cfg);
    }

    private static Result fit(float[][][] neutral, float[][][] explicit, int[] layers, Split split, Config cfg) {
        int numLayers = Pairs.check(neutral, explicit);
        int d = neutral[0][0].length;
        Pairs.checkLayers(layers, numLayers);
        if (split.train().length < cfg.clusters())
            throw new IllegalArgumentException("neutral must hold at least k=" + cfg.clusters() + " training prompts, got "
                    + split.train().length);
        SortedMap<Integer, GactWeights.Layer> fitted = new TreeMap<>();
        List<LayerReport> reports = new ArrayList<>();
        for (int l : layers) {
            float[][] a = Pairs.layer(neutral, l);                       // [N, D]
            float[][] delta = Vec.subtract(Pairs.layer(explicit, l), a); // [N, D]
            Clusters c = Clusters.fit(delta, split, cfg.clusters(), cfg.kmeansRestarts(), cfg.seed() + l);
            float[][] aTrain = Vec.rows(a, split.train());
            float[][] aHeld = Vec.rows(a, split.heldOut());
            SoftmaxProbe probe = SoftmaxProbe.train(aTrain, c.trainLabels(), cfg.clusters(), cfg.probe());
            fitted.put(l, new GactWeights.Layer(c.kmeans().centroids(), probe));
            reports.add(new LayerReport(l, probe.accuracy(aTrain, c.trainLabels()),
                    probe.accuracy(aHeld, c.heldOutLabels()), c.kmeans().sizes(), majorityShare(c.heldOutLabels(), cfg.clusters())));
        }
        return new Result(new GactWeights(d, cfg.clusters(), fitted), reports);
    }
}
