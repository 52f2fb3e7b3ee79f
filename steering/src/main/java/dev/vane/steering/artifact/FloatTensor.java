package dev.vane.steering.artifact;

import java.util.Arrays;

/**
 * A named artifact tensor: row-major f32 values and their shape. Artifacts are small (a direction
 * per layer, a probe, an MLP), so they live on the heap. The arrays are owned, not copied: do not
 * change them after construction.
 *
 * @param shape dimensions, outermost first ({@code [L, D]} for a vector set)
 * @param data  {@code product(shape)} values
 */
public record FloatTensor(int[] shape, float[] data) {

    public FloatTensor {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new ArtifactException("tensor shape " + Arrays.toString(shape) + " has a negative dimension");
            n *= d;
        }
        if (n != data.length)
            throw new ArtifactException("tensor shape " + Arrays.toString(shape) + " holds " + n
                    + " values but " + data.length + " were given");
    }

    /** A {@code [rows, cols]} tensor from a rectangular matrix. */
    public static FloatTensor of(float[][] rows, int cols) {
        float[] flat = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols)
                throw new ArtifactException("row " + r + " has " + rows[r].length + " values, expected " + cols);
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return new FloatTensor(new int[] {rows.length, cols}, flat);
    }

    /** Row {@code r} of a 2-D tensor, copied. */
    public float[] row(int r) {
        if (shape.length != 2) throw new IllegalStateException("row() needs a 2-D tensor, shape " + Arrays.toString(shape));
        return Arrays.copyOfRange(data, r * shape[1], (r + 1) * shape[1]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

    @Override
    public String toString() { return "FloatTensor" + Arrays.toString(shape); }
}
