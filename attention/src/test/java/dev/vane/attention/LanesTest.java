package dev.vane.attention;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The fixed-order vector helpers: exp against Math.exp, vector against scalar, the sum's tree. */
class LanesTest {

    @Test
    void expIsAccurateAndTheArrayFormEqualsTheScalarOneBitForBit() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[4096 + 5]; // a tail past the last full vector
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 180 - 90);
        x[0] = 0;
        x[1] = -87;
        x[2] = 88;
        float[] out = new float[x.length];
        float sum = Lanes.exp(x, 0, x.length, 1f, 0f, out, 0);
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            assertThat(out[i]).isEqualTo(Lanes.exp(v));
            double expected = Math.exp(Math.min(Math.max(v, -87), 88));
            assertThat((double) out[i]).as("exp(%s)", v).isCloseTo(expected, within(3e-7 * expected));
        }
        assertThat(sum).isEqualTo(sumInTheStatedOrder(out, x.length));
        assertThat(Lanes.exp(0f)).isEqualTo(1f);
    }

    @Test
    void signAndShiftApplyBeforeTheExponentialAndInPlaceEqualsOutOfPlace() {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[21];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 20 - 10);
        float[] negated = new float[x.length];
        Lanes.exp(x, 0, x.length, -1f, 0f, negated, 0);
        float[] shifted = x.clone();
        float sum = Lanes.exp(shifted, 0, x.length, 1f, 3.5f, shifted, 0); // in place
        for (int i = 0; i < x.length; i++) {
            assertThat(negated[i]).isEqualTo(Lanes.exp(-x[i]));
            assertThat(shifted[i]).isEqualTo(Lanes.exp(x[i] - 3.5f));
        }
        assertThat(sum).isEqualTo(sumInTheStatedOrder(shifted, x.length));
    }

    /** Lane-wise sums of the full vectors, reduced by the tree, then the tail in order. */
    private static float sumInTheStatedOrder(float[] e, int n) {
        float[] lanes = new float[Lanes.LANES];
        int full = n - n % Lanes.LANES;
        for (int i = 0; i < full; i++) lanes[i % Lanes.LANES] += e[i];
        float s = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
        for (int i = full; i < n; i++) s += e[i];
        return s;
    }

    @Test
    void sumAddsInItsStatedTree() {
        float[] v = {1e8f, 1, -1e8f, 1, 3, 5, 7, 11};
        float expected = ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
        assertThat(Lanes.sum(FloatVector.fromArray(Lanes.F, v, 0))).isEqualTo(expected);
    }
}
