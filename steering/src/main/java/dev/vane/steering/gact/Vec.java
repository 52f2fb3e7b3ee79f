package dev.vane.steering.gact;

/** Small dense-vector helpers shared by the G-ACT fitting code (plain Java, no allocation unless named). */
public final class Vec {

    private Vec() {}

    /** Squared Euclidean distance, accumulated in double. */
    public static double distanceSquared(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /** {@code a · b} accumulated in double. */
    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Row-wise {@code a - b} as a new array. */
    public static float[][] subtract(float[][] a, float[][] b) {
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = new float[a[i].length];
            for (int j = 0; j < a[i].length; j++) out[i][j] = a[i][j] - b[i][j];
        }
        return out;
    }

    /** The rows of {@code x} at {@code index}, not copied. */
    public static float[][] rows(float[][] x, int[] index) {
        float[][] out = new float[index.length][];
        for (int i = 0; i < index.length; i++) out[i] = x[index[i]];
        return out;
    }

    /** Checks that {@code x} is a non-empty rectangular matrix and returns its width. */
    public static int width(float[][] x, String name) {
        if (x == null || x.length == 0) throw new IllegalArgumentException(name + " must be non-empty");
        int d = x[0].length;
        if (d == 0) throw new IllegalArgumentException(name + " rows must be non-empty");
        for (float[] row : x)
            if (row.length != d) throw new IllegalArgumentException(name + " must be rectangular (width " + d + ")");
        return d;
    }
}
