package dev.vane.attention;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** RoPE tables and the in-place rotation against Hugging Face's formula {@code x·cos + rotate_half(x)·sin}. */
class RopeTest {

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 64, 72, 128})
    void rotationIsHuggingFacesRotateHalf(int dh) {
        Rope.Tables t = Rope.tables(40, dh, 10000, RopeScaling.NONE);
        float[] inv = Rope.inverseFrequencies(dh, 10000, RopeScaling.NONE);
        SplittableRandom r = new SplittableRandom(dh);
        int half = dh / 2;
        for (int pos : new int[] {0, 1, 7, 39}) {
            float[] x = new float[dh + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
            float[] before = x.clone();
            t.rotate(x, 3, pos);
            for (int i = 0; i < dh; i++) {
                double angle = (float) pos * inv[i % half];
                double rotated = i < half ? -before[3 + half + i] : before[3 + i - half];
                double expected = before[3 + i] * Math.cos(angle) + rotated * Math.sin(angle);
                assertThat((double) x[3 + i]).as("dim %d at %d", i, pos).isCloseTo(expected, within(1e-5));
            }
            assertThat(new float[] {x[0], x[1], x[2]}).containsExactly(before[0], before[1], before[2]);
            if (pos == 0) assertThat(x).containsExactly(before);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 33})
    void rotationKeepsTheNorm(int pos) {
        Rope.Tables t = Rope.tables(64, 64, 500000, RopeScaling.NONE);
        float[] x = new float[64];
        SplittableRandom r = new SplittableRandom(pos);
        for (int i = 0; i < 64; i++) x[i] = (float) r.nextGaussian();
        double before = 0, after = 0;
        for (float v : x) before += v * v;
        t.rotate(x, 0, pos);
        for (float v : x) after += v * v;
        assertThat(after).isCloseTo(before, within(1e-4 * before));
    }
}
