package dev.vane.attention;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The vector softplus of the LSSA / LSSAR kernels: accurate, and the same bits as its scalar twin. */
class SoftplusWeightsTest {

    @Test
    void softplusIsWithinAFewUlpOfTheStrictDefinitionOverTheWholeRange() {
        double worst = 0;
        for (float z = -86f; z <= 86f; z += 0.001953125f) { // 2⁻⁹ steps, 88,064 points
            double exact = Math.max(z, 0) + StrictMath.log1p(StrictMath.exp(-Math.abs((double) z)));
            double rel = Math.abs(SoftplusAttention.softplus(z) - exact) / exact;
            worst = Math.max(worst, rel);
        }
        // tiny weights keep their relative accuracy: they decide a row whose logits are all very negative
        assertThat(worst).isLessThan(4e-7);
        assertThat(SoftplusAttention.softplus(-80f)).isGreaterThan(0f);
    }

    @Test
    void vectorWeightsEqualTheScalarTwinBitForBit() {
        SplittableRandom rng = new SplittableRandom(7);
        for (double p : new double[] {1, 1.5, 2, 3, 4, 2.5}) {
            SoftplusAttention a = new SoftplusAttention(8, 32, p);
            for (int len : new int[] {1, 7, 8, 9, 63, 256}) {
                float[] z = new float[len + 3], e = new float[len];
                for (int j = 0; j < z.length; j++) z[j] = (float) (rng.nextDouble(-30, 30) * (rng.nextBoolean() ? 1 : 0.01));
                float[] s = z.clone();
                float sum = a.weights(s, 3, len, e);
                float[] expected = new float[len];
                for (int j = 0; j < len; j++) expected[j] = a.reweight(SoftplusAttention.softplus(z[3 + j]));
                for (int j = 0; j < len; j++)
                    assertThat(Float.floatToRawIntBits(s[3 + j])).as("p %s, len %d, key %d", p, len, j)
                            .isEqualTo(Float.floatToRawIntBits(expected[j]));
                double total = 0;
                for (float w : expected) total += w;
                assertThat((double) sum).isCloseTo(total, org.assertj.core.api.Assertions.within(1e-5 * total + 1e-30));
                assertThat(s[0]).isEqualTo(z[0]); // nothing outside the range is touched
            }
        }
    }
}
