package dev.vane.engine.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A product over output columns {@code [from, to)} (a skipped layer's K/V rows of its fused
 * {@code [q|k|v]} matrix) gives those columns of the whole product bit for bit and writes no
 * other column, in every weight format, on one thread and on the pool.
 */
class WeightMatrixRangeTest {

    private static WeightMatrix matrix(String format, int out, int in, SplittableRandom rng) {
        short[] w = new short[out * in];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) (0.05 * rng.nextGaussian()));
        F16Gemv.Rows rows = (o, dst) -> System.arraycopy(w, o * in, dst, 0, in);
        return switch (format) {
            case "f16" -> F16Matrix.wrap(w, out, in);
            case "q8_0" -> Q8Matrix.quantizing(rows, out, in, "w", null);
            case "q4_0" -> Q4Matrix.quantizing(rows, out, in, "w", null);
            case "q4_k" -> Q4KMatrix.of(Q4KGemvTest.kRows(Q4KGemvTest.randomKBlocks(rng, out, in), in), out, in, "w", null);
            default -> throw new IllegalArgumentException(format);
        };
    }

    @ParameterizedTest
    @CsvSource({"f16,1,1", "f16,8,2", "f16,3,2", "q8_0,1,2", "q8_0,8,2", "q4_0,1,2", "q4_0,5,1", "q4_k,1,2", "q4_k,8,2"})
    void aColumnRangeIsThoseColumnsOfTheWholeProductAndNothingElse(String format, int rows, int threads) {
        int out = 1152, in = 256, from = 576, to = out; // 9 query heads of 64, then 3 key and 3 value heads
        SplittableRandom rng = new SplittableRandom(format.hashCode() * 31L + rows);
        WeightMatrix m = matrix(format, out, in, rng);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] whole = new float[rows * out], part = new float[rows * out];
        Arrays.fill(part, Float.NaN); // columns the range must not write stay NaN
        try (KernelPool pool = new KernelPool(threads)) {
            m.multiply(x, rows, whole, pool);
            m.multiply(x, rows, part, pool, from, to);
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < out; c++) {
                float got = part[r * out + c];
                if (c < from) assertThat(got).as("row %d column %d outside the range", r, c).isNaN();
                else assertThat(Float.floatToRawIntBits(got)).as("row %d column %d", r, c).isEqualTo(Float.floatToRawIntBits(whole[r * out + c]));
            }
    }

    @ParameterizedTest
    @CsvSource({"f16", "q8_0"})
    void aRangeOffTheKernelsBlocksIsRefused(String format) {
        WeightMatrix m = matrix(format, 64, 64, new SplittableRandom(1));
        try (KernelPool pool = new KernelPool(2)) {
            assertThatThrownBy(() -> m.multiply(new float[64], 1, new float[64], pool, 4, 64)).hasMessageContaining("block");
        }
    }
}
