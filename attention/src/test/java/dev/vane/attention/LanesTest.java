package dev.vane.attention;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The fixed-order vector helpers: exp against Math.exp, vector against scalar, the sum's tree. */
class LanesTest {

    @Test
    void expIsAccurateAndTheVectorFormEqualsTheScalarOneBitForBit() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 180 - 90);
        x[0] = 0;
        x[1] = -87;
        x[2] = 88;
        for (int i = 0; i < x.length; i += Lanes.LANES) {
            float[] lanes = new float[Lanes.LANES];
            Lanes.exp(FloatVector.fromArray(Lanes.F, x, i)).intoArray(lanes, 0);
            for (int j = 0; j < Lanes.LANES; j++) {
                float v = x[i + j];
                assertThat(lanes[j]).isEqualTo(Lanes.exp(v));
                double expected = Math.exp(Math.min(Math.max(v, -87), 88));
                assertThat((double) lanes[j]).as("exp(%s)", v).isCloseTo(expected, within(3e-7 * expected));
            }
        }
        assertThat(Lanes.exp(0f)).isEqualTo(1f);
    }

    @Test
    void sumAddsInItsStatedTree() {
        float[] v = {1e8f, 1, -1e8f, 1, 3, 5, 7, 11};
        float expected = ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
        assertThat(Lanes.sum(FloatVector.fromArray(Lanes.F, v, 0))).isEqualTo(expected);
    }
}
