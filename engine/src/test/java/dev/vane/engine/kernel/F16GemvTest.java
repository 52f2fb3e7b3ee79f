package dev.vane.engine.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class F16GemvTest {

    @Test
    void convertsEveryFiniteHalfExactly() {
        int in = 16;
        int out = 0x10000;
        short[] w = new short[out * in];
        for (int h = 0; h < out; h++) w[h * in] = (short) h;
        float[] x = new float[in];
        x[0] = 1f;
        float[] y = new float[out];
        F16Gemv.multiply(w, in, out, x, 1, y, 0, out);
        for (int h = 0; h < out; h++) {
            if ((h & 0x7c00) == 0x7c00) continue; // Inf/NaN are rejected at load time
            // exact value (a dot product turns -0 into +0, hence no bit comparison)
            assertEquals(Float.float16ToFloat((short) h), y[h], 0f, "half bits 0x" + Integer.toHexString(h));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 7, 8, 13, 17, 45})
    void matchesADoublePrecisionReference(int rows) {
        int in = 48, out = 37;
        SplittableRandom rng = new SplittableRandom(rows);
        short[] w = new short[in * out];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) (rng.nextDouble() * 2 - 1));
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 4 - 2);
        float[] y = new float[rows * out];
        F16Gemv.multiply(w, in, out, x, rows, y, 0, 20);
        F16Gemv.multiply(w, in, out, x, rows, y, 20, out);
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < out; o++) {
                double ref = 0;
                for (int i = 0; i < in; i++) ref += (double) Float.float16ToFloat(w[o * in + i]) * x[b * in + i];
                assertEquals(ref, y[b * out + o], 1e-5 * Math.max(1, Math.abs(ref)), "row " + b + " out " + o);
            }
    }
}
