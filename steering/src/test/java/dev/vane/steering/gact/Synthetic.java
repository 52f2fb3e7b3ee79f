package dev.vane.steering.gact;

import java.util.SplittableRandom;

/** Seeded synthetic activations for the G-ACT tests. */
public final class Synthetic {

    private Synthetic() {}

    public static float[] gaussian(SplittableRandom rng, int d, double sigma) {
        float[] x = new float[d];
        for (int j = 0; j < d; j++) x[j] = (float) (sigma * nextGaussian(rng));
        return x;
    }

    public static double nextGaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** {@code k} random unit vectors of length {@code scale}. */
    public static float[][] directions(SplittableRandom rng, int k, int d, double scale) {
        float[][] v = new float[k][];
        for (int c = 0; c < k; c++) {
            v[c] = gaussian(rng, d, 1);
            double n = Math.sqrt(Vec.dot(v[c], v[c]));
            for (int j = 0; j < d; j++) v[c][j] *= (float) (scale / n);
        }
        return v;
    }

    public static double cosine(float[] a, float[] b) {
        return Vec.dot(a, b) / Math.sqrt(Vec.dot(a, a) * Vec.dot(b, b));
    }
}
