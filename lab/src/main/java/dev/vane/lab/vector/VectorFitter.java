package dev.vane.lab.vector;

/**
 * Fits one steering direction per layer from last-token activations of paired prompts.
 * Shapes: N pairs, K layers, D hidden size; inputs {@code [N][K][D]}, output {@code [K][D]}.
 * Sums run in double precision.
 *
 * <p>Both methods give vectors in activation units, so {@code scale = 1} means "shift by the
 * typical positive-minus-negative difference" whichever method fitted it:
 * <ul>
 *   <li>{@link FitMethod#MEAN_DIFF}: {@code v = mean(pos) − mean(neg)};</li>
 *   <li>{@link FitMethod#PCA}: {@code u} = the top eigenvector of {@code Σ dᵢ dᵢᵀ} with
 *       {@code dᵢ = posᵢ − negᵢ}, found by power iteration, signed so that the mean projection
 *       {@code s = mean(dᵢ·u)} is positive (pointing from negative to positive), and
 *       {@code v = s·u}.</li>
 * </ul>
 * The PCA is taken about zero, not about the mean difference. Centring the differences on
 * their mean would remove exactly the shift the pairs share, leaving only how much it varies
 * between pairs; about zero is the same as the centred PCA of the symmetric set {±dᵢ}, which is
 * what repeng's {@code pca_center} computes (the midpoint of each pair subtracted).
 */
public final class VectorFitter {

    private static final int MAX_ITERATIONS = 1000;
    private static final double TOLERANCE = 1e-12;

    private VectorFitter() {}

    /**
     * @throws IllegalArgumentException when the sets are empty or their shapes differ (PCA
     *         also needs as many negatives as positives: they are pairs)
     */
    public static float[][] fit(float[][][] pos, float[][][] neg, FitMethod method) {
        check(pos, neg, method == FitMethod.PCA);
        int k = pos[0].length;
        float[][] out = new float[k][];
        for (int l = 0; l < k; l++)
            out[l] = method == FitMethod.MEAN_DIFF ? meanDiff(pos, neg, l) : pca(pos, neg, l);
        return out;
    }

    private static float[] meanDiff(float[][][] pos, float[][][] neg, int l) {
        double[] mp = mean(pos, l), mn = mean(neg, l);
        float[] v = new float[mp.length];
        for (int j = 0; j < v.length; j++) v[j] = (float) (mp[j] - mn[j]);
        return v;
    }

    private static double[] mean(float[][][] x, int l) {
        double[] m = new double[x[0][l].length];
        for (float[][] row : x) for (int j = 0; j < m.length; j++) m[j] += row[l][j];
        for (int j = 0; j < m.length; j++) m[j] /= x.length;
        return m;
    }

    private static float[] pca(float[][][] pos, float[][][] neg, int l) {
        int n = pos.length, d = pos[0][l].length;
        double[][] diff = new double[n][d];                                                 // [N, D]
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) diff[i][j] = (double) pos[i][l][j] - neg[i][l][j];
        double[] u = startVector(diff);
        if (u == null) return new float[d]; // every pair identical: no direction to find
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            double[] next = new double[d];                                                  // Σ dᵢ (dᵢ·u)
            for (double[] di : diff) {
                double p = dot(di, u);
                for (int j = 0; j < d; j++) next[j] += p * di[j];
            }
            if (!normalise(next)) break;
            double change = 0;
            for (int j = 0; j < d; j++) change += (next[j] - u[j]) * (next[j] - u[j]);
            u = next;
            if (change < TOLERANCE) break;
        }
        double s = 0;
        for (double[] di : diff) s += dot(di, u);
        s /= n;
        float[] v = new float[d];
        for (int j = 0; j < d; j++) v[j] = (float) (s * u[j]); // s < 0 flips u towards the positives
        return v;
    }

    /** The mean difference, or the largest difference when the mean vanishes; null if all are zero. */
    private static double[] startVector(double[][] diff) {
        int d = diff[0].length;
        double[] m = new double[d];
        for (double[] di : diff) for (int j = 0; j < d; j++) m[j] += di[j];
        if (normalise(m)) return m;
        double[] best = null;
        double bestNorm = 0;
        for (double[] di : diff) {
            double norm = dot(di, di);
            if (norm > bestNorm) {
                bestNorm = norm;
                best = di.clone();
            }
        }
        return best != null && normalise(best) ? best : null;
    }

    private static boolean normalise(double[] v) {
        double n = Math.sqrt(dot(v, v));
        if (n == 0 || !Double.isFinite(n)) return false;
        for (int j = 0; j < v.length; j++) v[j] /= n;
        return true;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) s += a[j] * b[j];
        return s;
    }

    static void check(float[][][] pos, float[][][] neg, boolean paired) {
        if (pos.length == 0 || neg.length == 0) throw new IllegalArgumentException("need positive and negative examples");
        if (paired && pos.length != neg.length)
            throw new IllegalArgumentException("paired fit needs as many negatives as positives, got "
                    + pos.length + " and " + neg.length);
        int k = pos[0].length, d = pos[0][0].length;
        for (float[][][] set : new float[][][][] {pos, neg})
            for (float[][] row : set) {
                if (row.length != k) throw new IllegalArgumentException("examples have different layer counts");
                for (float[] v : row) if (v.length != d) throw new IllegalArgumentException("examples have different widths");
            }
    }
}
