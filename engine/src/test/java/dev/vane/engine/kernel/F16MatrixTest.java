package dev.vane.engine.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class F16MatrixTest {

    /**
     * However the pool cuts a product into chunks (whole pairs of blocks for several rows, a
     * multiple of the thread count; CHUNK columns for one row), every output is the one-thread
     * product's bits, the padded last block and odd block counts included.
     */
    @ParameterizedTest
    @CsvSource({"1,2,576", "8,2,576", "8,3,576", "2,2,960", "9,2,1000", "8,2,4104", "33,3,272", "8,4,256", "1,3,1000", "7,2,1000", "6,3,4104", "70,2,576", "69,3,272"})
    void pooledProductsEqualTheOneThreadProductBitForBit(int rows, int threads, int out) {
        int in = 64;
        SplittableRandom rng = new SplittableRandom(rows * 31L + out);
        short[] w = new short[in * out];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) (0.05 * rng.nextGaussian()));
        F16Matrix m = F16Matrix.wrap(w, out, in);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] expected = new float[rows * out];
        float[] got = new float[rows * out];
        java.util.Arrays.fill(got, Float.NaN); // an output no chunk wrote stays NaN
        try (KernelPool one = new KernelPool(1); KernelPool pool = new KernelPool(threads)) {
            m.multiply(x, rows, expected, one);
            m.multiply(x, rows, got, pool);
        }
        for (int i = 0; i < got.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), "row " + i / out + " out " + i % out);
    }

    /**
     * Pooled products prepare their inputs in buffers the calling thread reuses: a product after a
     * larger one (stale rows and columns in the buffers, a padded group after a full one) gives
     * the bits of a product on fresh inputs.
     */
    @Test
    void productsInReusedInputBuffersEqualFreshOnes() {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] shapes = {{16, 64, 512}, {5, 64, 512}, {70, 128, 256}, {7, 32, 288}, {13, 64, 512}, {6, 128, 256}, {2, 64, 512}};
        try (KernelPool pool = new KernelPool(2)) {
            for (int[] shape : shapes) {
                int rows = shape[0], in = shape[1], out = shape[2];
                short[] w = new short[in * out];
                for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) (0.05 * rng.nextGaussian()));
                float[] x = new float[rows * in];
                for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextGaussian() * 100);
                float[] expected = new float[rows * out];
                F16Gemv.Packed packed = F16Gemv.pack(w, out, in);
                F16Gemv.multiply(packed, F16Gemv.Inputs.of(x, rows, in, packed.lift()), rows, expected, 0, out); // fresh inputs
                float[] got = F16Matrix.wrap(w, out, in).multiply(x, rows, pool);
                for (int i = 0; i < got.length; i++)
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), rows + " rows: row " + i / out + " out " + i % out);
            }
        }
    }
}
