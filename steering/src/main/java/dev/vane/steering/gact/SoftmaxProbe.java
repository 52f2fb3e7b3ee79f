package dev.vane.steering.gact;

import java.util.Arrays;

/**
 * Multinomial logistic regression {@code p = softmax(W·a + b)} from one layer's residual
 * activation ({@code D}) to one of {@code k} classes: the per-layer probe of G-ACT
 * (arXiv 2506.18887) that picks which steering direction to inject. With k = 2 it is the
 * binary logistic probe of ACT (arXiv 2406.00034).
 *
 * <p>Plain Java: a probe is k·D multiply-adds, cheap enough to run on the engine thread per row
 * per selected layer, and the fit (full-batch Adam, a few hundred steps) costs N·k·D per step.
 *
 * <p>Training standardises each feature (residual streams have a few very large dimensions,
 * which would otherwise dominate plain gradient descent), applies the L2 penalty to the
 * standardised weights, and folds the standardisation back into {@code W, b} so that the
 * stored probe works on raw activations: {@code W = W_z/σ}, {@code b = b_z − W_z·(μ/σ)}. The
 * fit's {@code μ, σ} stay with the probe ({@link #standardisation}) so that {@link #refine} steps
 * in the same standardised space.
 *
 * <p>Immutable: {@link #refine} returns a new probe, so a selector can swap probes atomically
 * while other threads keep reading the old one.
 */
public final class SoftmaxProbe {

    /**
     * Fit parameters.
     *
     * @param steps        full-batch Adam steps
     * @param learningRate Adam step size (on standardised features)
     * @param l2           L2 penalty {@code l2/2·‖W_z‖²} on the standardised weights
     */
    public record Config(int steps, double learningRate, double l2) {
        public Config {
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
            if (!(l2 >= 0)) throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
        }

        /** 300 steps, lr 0.05, L2 1e-3. */
        public static Config defaults() {
            return new Config(300, 0.05, 1e-3);
        }
    }

    /**
     * The per-feature standardisation of a fit, {@code z = (x − mean) / scale}, both {@code [D]},
     * every scale finite and positive.
     */
    public record Standardisation(float[] mean, float[] scale) {
        public Standardisation {
            if (mean == null || scale == null || mean.length != scale.length || mean.length == 0)
                throw new IllegalArgumentException("mean and scale must have the same length D >= 1");
            for (int j = 0; j < scale.length; j++)
                if (!(scale[j] > 0 && Float.isFinite(scale[j])) || !Float.isFinite(mean[j]))
                    throw new IllegalArgumentException("standardisation: scale must be finite and > 0 and mean finite, at " + j);
            mean = mean.clone();
            scale = scale.clone();
        }

        @Override public float[] mean() { return mean.clone(); }
        @Override public float[] scale() { return scale.clone(); }
    }

    private final float[][] weight; // [k, D]
    private final float[] bias;     // [k]
    private final Standardisation features; // the fit's, or null for a probe given explicitly without one

    private SoftmaxProbe(float[][] weight, float[] bias, Standardisation features) {
        this.weight = weight;
        this.bias = bias;
        this.features = features;
    }

    /** A probe from explicit parameters ({@code weight [k][D]}, {@code bias [k]}), copied, without a fit's standardisation. */
    public static SoftmaxProbe of(float[][] weight, float[] bias) {
        return of(weight, bias, java.util.Optional.empty());
    }

    /** A probe from explicit parameters and, where known, the standardisation of its fit. */
    public static SoftmaxProbe of(float[][] weight, float[] bias, java.util.Optional<Standardisation> standardisation) {
        Vec.width(weight, "weight");
        if (bias == null || bias.length != weight.length)
            throw new IllegalArgumentException("bias must have length k=" + weight.length);
        standardisation.ifPresent(s -> {
            if (s.mean.length != weight[0].length)
                throw new IllegalArgumentException("standardisation must have length D=" + weight[0].length);
        });
        float[][] w = new float[weight.length][];
        for (int c = 0; c < w.length; c++) w[c] = weight[c].clone();
        return new SoftmaxProbe(w, bias.clone(), standardisation.orElse(null));
    }

    /** The fit's feature standardisation, which {@link #refine} steps in; empty for a probe given without one. */
    public java.util.Optional<Standardisation> standardisation() { return java.util.Optional.ofNullable(features); }

    /**
     * Fits a probe on {@code x [N][D]} with labels {@code y [N]} in {@code [0, k)}. Weights start
     * at zero, so the fit is deterministic.
     */
    public static SoftmaxProbe train(float[][] x, int[] y, int k, Config cfg) {
        int d = Vec.width(x, "x");
        checkLabels(x, y, k);
        int n = x.length;
        // standardise: z = (x - mu) / sigma
        double[] mu = new double[d], sigma = new double[d];
        for (float[] row : x) for (int j = 0; j < d; j++) mu[j] += row[j];
        for (int j = 0; j < d; j++) mu[j] /= n;
        for (float[] row : x) for (int j = 0; j < d; j++) sigma[j] += (row[j] - mu[j]) * (row[j] - mu[j]);
        for (int j = 0; j < d; j++) {
            double s = Math.sqrt(sigma[j] / n);
            sigma[j] = s > 1e-12 ? s : 1.0; // constant feature: leave unscaled
        }
        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) z[i][j] = (x[i][j] - mu[j]) / sigma[j];

        double[][] w = new double[k][d], mw = new double[k][d], vw = new double[k][d];
        double[] b = new double[k], mb = new double[k], vb = new double[k];
        double[][] gw = new double[k][d];
        double[] gb = new double[k], logits = new double[k];
        final double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        for (int t = 1; t <= cfg.steps(); t++) {
            for (double[] g : gw) Arrays.fill(g, 0);
            Arrays.fill(gb, 0);
            for (int i = 0; i < n; i++) {
                softmax(w, b, z[i], logits);
                logits[y[i]] -= 1; // dCE/dlogit = p - onehot
                for (int c = 0; c < k; c++) {
                    double g = logits[c] / n;
                    gb[c] += g;
                    double[] gwc = gw[c], zi = z[i];
                    for (int j = 0; j < d; j++) gwc[j] += g * zi[j];
                }
            }
            double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    double g = gw[c][j] + cfg.l2() * w[c][j];
                    mw[c][j] = b1 * mw[c][j] + (1 - b1) * g;
                    vw[c][j] = b2 * vw[c][j] + (1 - b2) * g * g;
                    w[c][j] -= cfg.learningRate() * (mw[c][j] / c1) / (Math.sqrt(vw[c][j] / c2) + eps);
                }
                mb[c] = b1 * mb[c] + (1 - b1) * gb[c];
                vb[c] = b2 * vb[c] + (1 - b2) * gb[c] * gb[c];
                b[c] -= cfg.learningRate() * (mb[c] / c1) / (Math.sqrt(vb[c] / c2) + eps);
            }
        }
        Standardisation s = new Standardisation(toFloat(mu), toFloat(sigma));
        return fold(w, b, s.mean, s.scale, s);
    }

    /** Raw-feature parameters from standardised ones: {@code W = W_z/σ}, {@code b = b_z − W_z·(μ/σ)}. */
    private static SoftmaxProbe fold(double[][] w, double[] b, float[] mu, float[] sigma, Standardisation keep) {
        int k = b.length, d = mu.length;
        float[][] wf = new float[k][d];
        float[] bf = new float[k];
        for (int c = 0; c < k; c++) {
            double shift = 0;
            for (int j = 0; j < d; j++) {
                wf[c][j] = (float) (w[c][j] / sigma[j]);
                shift += w[c][j] * mu[j] / sigma[j];
            }
            bf[c] = (float) (b[c] - shift);
        }
        return new SoftmaxProbe(wf, bf, keep);
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** Number of classes k. */
    public int classes() { return bias.length; }

    /** Input width D. */
    public int inputSize() { return weight[0].length; }

    /** A copy of {@code W}, {@code [k][D]}. */
    public float[][] weight() {
        float[][] w = new float[weight.length][];
        for (int c = 0; c < w.length; c++) w[c] = weight[c].clone();
        return w;
    }

    /** A copy of {@code b}, {@code [k]}. */
    public float[] bias() { return bias.clone(); }

    /** {@code softmax(W·a + b)}, {@code [k]}. */
    public float[] probabilities(float[] a) {
        checkInput(a);
        int k = bias.length;
        double[] logit = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            logit[c] = bias[c] + Vec.dot(weight[c], a);
            max = Math.max(max, logit[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) sum += logit[c] = Math.exp(logit[c] - max);
        float[] p = new float[k];
        for (int c = 0; c < k; c++) p[c] = (float) (logit[c] / sum);
        return p;
    }

    /** {@code argmax_c (W·a + b)_c}, ties towards the lowest index. */
    public int predict(float[] a) {
        checkInput(a);
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < bias.length; c++) {
            double l = bias[c] + Vec.dot(weight[c], a);
            if (l > bestLogit) {
                bestLogit = l;
                best = c;
            }
        }
        return best;
    }

    /** Fraction of rows of {@code x [N][D]} whose prediction equals {@code y [N]}. */
    public double accuracy(float[][] x, int[] y) {
        Vec.width(x, "x");
        checkLabels(x, y, classes());
        int hit = 0;
        for (int i = 0; i < x.length; i++) if (predict(x[i]) == y[i]) hit++;
        return (double) hit / x.length;
    }

    /**
     * Online refinement (G-ACT step 5): {@code steps} gradient-descent steps of the mean
     * cross-entropy over the labelled examples {@code x [N][D]}, {@code y [N]}, on the probe
     * only, taken in the standardised feature space of the probe's fit
     * ({@code z = (x − μ)/σ}, where the probe's {@code W_z = W·σ}, {@code b_z = b + W·μ}), so
     * that a feature with a large raw variance does not dominate the step, as in the fit. A probe
     * without a stored standardisation steps in the examples' own, centred on their mean with one
     * scale for every feature (their root-mean-square deviation). The step is normalised as in
     * normalised LMS, {@code η = lr / mean_i(‖z_i‖² + 1)}, so {@code lr ≤ 1} is a safe range
     * whatever the width. Returns the refined probe (with this one's standardisation); this one
     * is unchanged.
     */
    public SoftmaxProbe refine(float[][] x, int[] y, int steps, double lr) {
        int d = Vec.width(x, "x");
        if (d != inputSize()) throw new IllegalArgumentException("x width must be " + inputSize() + ", got " + d);
        checkLabels(x, y, classes());
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
        int k = classes(), n = x.length;
        Standardisation s = features != null ? features : isotropic(x);
        float[] mu = s.mean, sigma = s.scale;
        // the probe in z-space: W_z = W·σ, b_z = b + W·μ
        double[][] w = new double[k][d];
        double[] b = new double[k];
        for (int c = 0; c < k; c++) {
            double shift = 0;
            for (int j = 0; j < d; j++) {
                w[c][j] = (double) weight[c][j] * sigma[j];
                shift += (double) weight[c][j] * mu[j];
            }
            b[c] = bias[c] + shift;
        }
        double[][] z = new double[n][d];
        double meanSq = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mu[j]) / sigma[j];
                meanSq += z[i][j] * z[i][j];
            }
            meanSq += 1; // the bias input
        }
        double eta = lr / (meanSq / n);
        double[][] gw = new double[k][d];
        double[] gb = new double[k], p = new double[k];
        for (int t = 0; t < steps; t++) {
            for (double[] g : gw) Arrays.fill(g, 0);
            Arrays.fill(gb, 0);
            for (int i = 0; i < n; i++) {
                softmax(w, b, z[i], p);
                p[y[i]] -= 1;
                for (int c = 0; c < k; c++) {
                    double g = p[c] / n;
                    gb[c] += g;
                    for (int j = 0; j < d; j++) gw[c][j] += g * z[i][j];
                }
            }
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) w[c][j] -= eta * gw[c][j];
                b[c] -= eta * gb[c];
            }
        }
        return fold(w, b, mu, sigma, features);
    }

    /** The examples' mean, and one scale for every feature: their root-mean-square deviation from it (1 when they coincide). */
    private static Standardisation isotropic(float[][] x) {
        int n = x.length, d = x[0].length;
        float[] mu = new float[d];
        double[] m = new double[d];
        for (float[] row : x) for (int j = 0; j < d; j++) m[j] += row[j];
        for (int j = 0; j < d; j++) mu[j] = (float) (m[j] / n);
        double ss = 0;
        for (float[] row : x) for (int j = 0; j < d; j++) ss += (row[j] - mu[j]) * (double) (row[j] - mu[j]);
        double rms = Math.sqrt(ss / n / d);
        float[] scale = new float[d];
        Arrays.fill(scale, rms > 1e-12 && Double.isFinite(rms) ? (float) rms : 1f);
        return new Standardisation(mu, scale);
    }

    /** {@code out = softmax(w·z + b)}. */
    private static void softmax(double[][] w, double[] b, double[] z, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < b.length; c++) {
            double s = b[c];
            double[] wc = w[c];
            for (int j = 0; j < z.length; j++) s += wc[j] * z[j];
            out[c] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < b.length; c++) sum += out[c] = Math.exp(out[c] - max);
        for (int c = 0; c < b.length; c++) out[c] /= sum;
    }

    private void checkInput(float[] a) {
        if (a == null || a.length != inputSize())
            throw new IllegalArgumentException("activation must have length " + inputSize());
    }

    private static void checkLabels(float[][] x, int[] y, int k) {
        if (k < 2) throw new IllegalArgumentException("k must be >= 2, got " + k);
        if (y == null || y.length != x.length)
            throw new IllegalArgumentException("y must have one label per row of x (" + x.length + ")");
        for (int label : y)
            if (label < 0 || label >= k) throw new IllegalArgumentException("y labels must be in [0, " + k + "), got " + label);
    }
}
