package dev.vane.lab.gact;

import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.steering.gact.Vec;

import java.util.ArrayList;
import java.util.List;

/**
 * The ACT baseline (Wang et al., arXiv 2406.00034) that G-ACT (arXiv 2506.18887) compares its
 * probes against, fitted on the same prompts, split and clusters as {@link GactFit}
 * (methods.md §2, the ACT baseline):
 * <ol>
 *   <li>k-means of the per-prompt differences δ at each layer, as in G-ACT;</li>
 *   <li>per cluster c, a binary logistic probe on the raw activations of that cluster's prompts,
 *       neutral → 0, explicit → 1 (the ACT probe that measures how much of the concept an
 *       activation holds);</li>
 *   <li>per cluster, the steering vector {@code v_c = σ_c · ŵ_c}: the unit probe direction
 *       scaled by the standard deviation of the training activations projected on it.</li>
 * </ol>
 * The reported held-out accuracy scores each held-out activation, neutral and explicit alike,
 * with the probe of the cluster whose training activations' mean is nearest to it: chosen from
 * the activation alone, as at inference (the prompt's δ would need its explicit side, an oracle).
 * Note the task differs from G-ACT's: ACT's probe is binary (chance 1/2: every prompt gives one
 * activation of each label), G-ACT's picks one of k clusters from the neutral activation alone
 * (chance: the most frequent held-out cluster's share); {@link ProbeComparison} prints both.
 *
 * <p>ACT's adaptive intensity {@code α(1 + b − p)} at inference is not part of this baseline:
 * it is a fitting-and-accuracy comparison only.
 */
public final class ActBaseline {

    /**
     * @param layer                 model layer index
     * @param vectors               {@code [k][D]} ACT steering vectors σ_c·ŵ_c
     * @param probes                {@code [k]} binary probes (class 1 = explicit)
     * @param probeTrainAccuracy    mean binary accuracy on the training prompts' activations
     * @param probeHeldOutAccuracy  mean binary accuracy on the held-out prompts' activations
     */
    public record LayerFit(int layer, float[][] vectors, List<SoftmaxProbe> probes,
                           double probeTrainAccuracy, double probeHeldOutAccuracy) {}

    private ActBaseline() {}

    /** Fits every layer of {@code neutral}/{@code explicit} ({@code [N][L][D]}). */
    public static List<LayerFit> fit(float[][][] neutral, float[][][] explicit, GactFit.Config cfg) {
        int layers = Pairs.check(neutral, explicit);
        int[] all = new int[layers];
        for (int l = 0; l < layers; l++) all[l] = l;
        return fit(neutral, explicit, all, cfg);
    }

    /** Fits the given layers with the same split and k-means seeds as {@link GactFit}. */
    public static List<LayerFit> fit(float[][][] neutral, float[][][] explicit, int[] layers, GactFit.Config cfg) {
        Pairs.check(neutral, explicit);
        return fit(neutral, explicit, layers, Split.of(neutral.length, cfg.heldOutFraction(), cfg.seed()), cfg);
    }

    /** Fits the given layers holding out the given prompts, as {@link GactFit#fit(float[][][], float[][][], int[], int[], GactFit.Config)}. */
    public static List<LayerFit> fit(float[][][] neutral, float[][][] explicit, int[] layers, int[] heldOut,
                                     GactFit.Config cfg) {
        Pairs.check(neutral, explicit);
        return fit(neutral, explicit, layers, Split.given(neutral.length, heldOut), cfg);
    }

    private static List<LayerFit> fit(float[][][] neutral, float[][][] explicit, int[] layers, Split split,
                                      GactFit.Config cfg) {
        Pairs.check(neutral, explicit);
        Pairs.checkLayers(layers, neutral[0].length);
        List<LayerFit> out = new ArrayList<>();
        for (int l : layers) {
            float[][] a = Pairs.layer(neutral, l);                       // [N, D]
            float[][] e = Pairs.layer(explicit, l);                      // [N, D]
            Clusters c = Clusters.fit(Vec.subtract(e, a), split, cfg.clusters(), cfg.kmeansRestarts(), cfg.seed() + l);
            int k = cfg.clusters();
            List<SoftmaxProbe> probes = new ArrayList<>(k);
            float[][] vectors = new float[k][];
            for (int cl = 0; cl < k; cl++) {
                Binary data = Binary.of(a, e, split.train(), c.trainLabels(), cl);
                SoftmaxProbe p = SoftmaxProbe.train(data.x(), data.y(), 2, cfg.probe());
                probes.add(p);
                vectors[cl] = vector(p, data.x());
            }
            float[][] means = activationMeans(a, e, split.train(), c.trainLabels(), k);
            int[] nearestA = nearest(means, a, split.heldOut()), nearestE = nearest(means, e, split.heldOut());
            out.add(new LayerFit(l, vectors, List.copyOf(probes),
                    accuracy(probes, a, e, split.train(), c.trainLabels(), c.trainLabels()),
                    accuracy(probes, a, e, split.heldOut(), nearestA, nearestE)));
        }
        return out;
    }

    /** {@code σ · ŵ} with {@code ŵ = (W_1 − W_0)/‖W_1 − W_0‖}, the logistic direction of a 2-class softmax. */
    private static float[] vector(SoftmaxProbe p, float[][] x) {
        float[][] w = p.weight();
        int d = w[0].length;
        float[] dir = new float[d];
        double norm = 0;
        for (int j = 0; j < d; j++) {
            dir[j] = w[1][j] - w[0][j];
            norm += (double) dir[j] * dir[j];
        }
        norm = Math.sqrt(norm);
        if (norm == 0) return dir; // a probe that learned nothing steers nowhere
        for (int j = 0; j < d; j++) dir[j] /= (float) norm;
        double sum = 0, sq = 0;
        for (float[] row : x) {
            double proj = Vec.dot(row, dir);
            sum += proj;
            sq += proj * proj;
        }
        double mean = sum / x.length;
        float sigma = (float) Math.sqrt(Math.max(0, sq / x.length - mean * mean));
        for (int j = 0; j < d; j++) dir[j] *= sigma;
        return dir;
    }

    /**
     * Binary accuracy over the neutral (0) and explicit (1) activation of each prompt in
     * {@code index}, each scored by the probe of its cluster ({@code clusterA[i]}, {@code clusterE[i]}).
     */
    private static double accuracy(List<SoftmaxProbe> probes, float[][] a, float[][] e, int[] index, int[] clusterA, int[] clusterE) {
        int hit = 0;
        for (int i = 0; i < index.length; i++) {
            if (probes.get(clusterA[i]).predict(a[index[i]]) == 0) hit++;
            if (probes.get(clusterE[i]).predict(e[index[i]]) == 1) hit++;
        }
        return hit / (2.0 * index.length);
    }

    /** Per cluster, the mean of its training prompts' activations, neutral and explicit together, {@code [k][D]}. */
    private static float[][] activationMeans(float[][] a, float[][] e, int[] train, int[] cluster, int k) {
        int d = a[0].length;
        double[][] sum = new double[k][d];
        int[] n = new int[k];
        for (int i = 0; i < train.length; i++) {
            int c = cluster[i];
            n[c] += 2;
            for (int j = 0; j < d; j++) sum[c][j] += a[train[i]][j] + (double) e[train[i]][j];
        }
        float[][] mean = new float[k][d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++) mean[c][j] = n[c] == 0 ? Float.POSITIVE_INFINITY : (float) (sum[c][j] / n[c]);
        return mean;
    }

    /** For each prompt in {@code index}, the cluster whose activation mean is nearest to {@code x[index[i]]}. */
    private static int[] nearest(float[][] means, float[][] x, int[] index) {
        int[] out = new int[index.length];
        for (int i = 0; i < index.length; i++) out[i] = KMeans.nearest(means, x[index[i]]);
        return out;
    }

    /** The neutral (label 0) and explicit (label 1) activations of the prompts in one cluster. */
    private record Binary(float[][] x, int[] y) {
        static Binary of(float[][] a, float[][] e, int[] index, int[] cluster, int c) {
            int n = 0;
            for (int lab : cluster) if (lab == c) n++;
            float[][] x = new float[2 * n][];
            int[] y = new int[2 * n];
            int j = 0;
            for (int i = 0; i < index.length; i++) {
                if (cluster[i] != c) continue;
                x[j] = a[index[i]];
                y[j++] = 0;
                x[j] = e[index[i]];
                y[j++] = 1;
            }
            return new Binary(x, y);
        }
    }
}
