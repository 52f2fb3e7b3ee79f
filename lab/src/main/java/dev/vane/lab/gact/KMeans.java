package dev.vane.lab.gact;

import dev.vane.steering.gact.Vec;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded k-means: k-means++ seeding (Arthur &amp; Vassilvitskii 2007) followed by Lloyd
 * iterations, best of a few restarts by inertia.
 *
 * <p>G-ACT (arXiv 2506.18887) and ACT (arXiv 2406.00034) both cluster per-prompt activation
 * differences into k = 3 steering directions per layer; this is that clustering. Shapes: N
 * points of dimension D, k clusters.
 *
 * <p>An empty cluster (possible after a Lloyd update when centroids coincide) is re-seeded with
 * the point farthest from its current centroid, so every returned centroid owns at least one
 * point whenever N ≥ k.
 */
public final class KMeans {

    /** Clustering parameters; {@code restarts} independent seedings, best inertia kept. */
    public record Config(int k, int maxIterations, int restarts, long seed) {
        public Config {
            if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
            if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            if (restarts < 1) throw new IllegalArgumentException("restarts must be >= 1, got " + restarts);
        }

        /** k clusters, 100 Lloyd iterations, 4 restarts. */
        public static Config of(int k, long seed) {
            return new Config(k, 100, 4, seed);
        }
    }

    /**
     * @param centroids   {@code [k][D]} cluster means
     * @param assignments {@code [N]} cluster index of each point
     * @param inertia     sum of squared distances of the points to their centroids
     * @param iterations  Lloyd iterations of the kept restart
     */
    public record Result(float[][] centroids, int[] assignments, double inertia, int iterations) {
        /** Number of points per cluster, {@code [k]}. */
        public int[] sizes() {
            int[] n = new int[centroids.length];
            for (int a : assignments) n[a]++;
            return n;
        }
    }

    private KMeans() {}

    /** Clusters the rows of {@code x} ({@code [N][D]}, N ≥ k). */
    public static Result fit(float[][] x, Config cfg) {
        int d = Vec.width(x, "x");
        if (x.length < cfg.k())
            throw new IllegalArgumentException("x must have at least k=" + cfg.k() + " rows, got " + x.length);
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        Result best = null;
        for (int r = 0; r < cfg.restarts(); r++) {
            Result res = lloyd(x, seed(x, cfg.k(), rng.split()), cfg.maxIterations(), d);
            if (best == null || res.inertia() < best.inertia()) best = res;
        }
        return best;
    }

    /** Index of the centroid nearest to {@code point} (ties towards the lowest index). */
    public static int nearest(float[][] centroids, float[] point) {
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centroids.length; c++) {
            double dd = Vec.distanceSquared(centroids[c], point);
            if (dd < bestD) {
                bestD = dd;
                best = c;
            }
        }
        return best;
    }

    /** k-means++: first centre uniform, each next one drawn with probability ∝ D(x)². */
    private static float[][] seed(float[][] x, int k, SplittableRandom rng) {
        int n = x.length;
        float[][] centres = new float[k][];
        centres[0] = x[rng.nextInt(n)].clone();
        double[] d2 = new double[n];
        Arrays.fill(d2, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                d2[i] = Math.min(d2[i], Vec.distanceSquared(x[i], centres[c - 1]));
                total += d2[i];
            }
            int pick;
            if (total == 0) {
                pick = rng.nextInt(n); // all points coincide with chosen centres
            } else {
                double u = rng.nextDouble() * total;
                pick = n - 1;
                for (int i = 0; i < n; i++) {
                    u -= d2[i];
                    if (u < 0) {
                        pick = i;
                        break;
                    }
                }
            }
            centres[c] = x[pick].clone();
        }
        return centres;
    }

    private static Result lloyd(float[][] x, float[][] centres, int maxIterations, int d) {
        int n = x.length, k = centres.length;
        int[] assign = new int[n];
        Arrays.fill(assign, -1);
        int it = 0;
        while (it < maxIterations) {
            it++;
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int c = nearest(centres, x[i]);
                if (c != assign[i]) {
                    assign[i] = c;
                    changed = true;
                }
            }
            repairEmpty(x, centres, assign);
            centres = means(x, assign, k, d);
            if (!changed) break;
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += Vec.distanceSquared(x[i], centres[assign[i]]);
        return new Result(centres, assign, inertia, it);
    }

    /** Moves the point farthest from its centroid into each empty cluster. */
    private static void repairEmpty(float[][] x, float[][] centres, int[] assign) {
        int k = centres.length;
        int[] size = new int[k];
        for (int a : assign) size[a]++;
        for (int c = 0; c < k; c++) {
            if (size[c] > 0) continue;
            int far = -1;
            double farD = -1;
            for (int i = 0; i < x.length; i++) {
                if (size[assign[i]] <= 1) continue; // never empty another cluster
                double dd = Vec.distanceSquared(x[i], centres[assign[i]]);
                if (dd > farD) {
                    farD = dd;
                    far = i;
                }
            }
            size[assign[far]]--;
            assign[far] = c;
            size[c] = 1;
            centres[c] = x[far].clone();
        }
    }

    private static float[][] means(float[][] x, int[] assign, int k, int d) {
        double[][] sum = new double[k][d];
        int[] count = new int[k];
        for (int i = 0; i < x.length; i++) {
            double[] s = sum[assign[i]];
            for (int j = 0; j < d; j++) s[j] += x[i][j];
            count[assign[i]]++;
        }
        float[][] out = new float[k][d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++) out[c][j] = (float) (sum[c][j] / count[c]);
        return out;
    }
}
