package dev.vane.attention;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The hand-worked examples of docs/attention.md: logits {@code z = [1, 2, 3]} (Dh = 16,
 * {@code q = 4·e0}, {@code k_j = j·e0}) and values {@code v = [10, 20, 30]·e0}.
 */
class WorkedExamplesTest {

    private static final int DH = 16;

    /** Head 0's first output element for the worked logits and values. */
    private static float run(Attention a) {
        float[] q = new float[DH], k = new float[3 * DH], v = new float[3 * DH];
        q[0] = 4;
        for (int j = 0; j < 3; j++) {
            k[j * DH] = j + 1;
            v[j * DH] = 10 * (j + 1);
        }
        float[] out = new float[DH];
        a.attend(q, 0, 1, k, v, 0, 3, out, 0);
        for (int i = 1; i < DH; i++) assertThat(out[i]).isZero();
        return out[0];
    }

    @ParameterizedTest(name = "block {0}")
    @ValueSource(ints = {1, 2, 3, 256})
    void softmaxOnlineAndTwoPassGiveTheReferenceOutput(int block) {
        // softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]; Σ w·v = 25.7521038
        assertThat(run(new SoftmaxAttention(DH))).isCloseTo(25.7521038f, within(2e-5f));
        assertThat(run(new OnlineSoftmaxAttention(DH, block, LengthScale.NONE))).isCloseTo(25.7521038f, within(2e-5f));
        assertThat(run(new TwoPassSoftmaxAttention(DH, block, LengthScale.NONE))).isCloseTo(25.7521038f, within(2e-5f));
    }

    @Test
    void theOnlineStateAfterTheFirstChunk() {
        // chunk {1, 2}: (m, l, o) = (2, 1.36787944, 23.6787944), so the output over those two keys is o / l
        float[] q = new float[DH], k = new float[2 * DH], v = new float[2 * DH];
        q[0] = 4;
        k[0] = 1;
        k[DH] = 2;
        v[0] = 10;
        v[DH] = 20;
        float[] out = new float[DH];
        new OnlineSoftmaxAttention(DH, 1, LengthScale.NONE).attend(q, 0, 1, k, v, 0, 2, out, 0);
        assertThat(out[0]).isCloseTo((float) (23.6787944 / 1.36787944), within(2e-5f));
    }

    @Test
    void theTwoPassMantissasAndExponents() {
        // e^z = p·2^k: p = [1.35914091, 0.92363201, 1.25534606], k = [1, 3, 4]
        float[] p = new float[3];
        int[] k = new int[3];
        for (int j = 0; j < 3; j++) k[j] = Lanes.expSplit(j + 1, p, j);
        assertThat(k).containsExactly(1, 3, 4);
        assertThat(p[0]).isCloseTo(1.35914091f, within(1e-6f));
        assertThat(p[1]).isCloseTo(0.92363201f, within(1e-6f));
        assertThat(p[2]).isCloseTo(1.25534606f, within(1e-6f));
        // the sum at the largest exponent: (V, E) = (1.88705468, 4)
        float sum = Math.scalb(p[0], k[0] - 4) + Math.scalb(p[1], k[1] - 4) + p[2];
        assertThat(sum).isCloseTo(1.88705468f, within(1e-6f));
    }

    @Test
    void softplusWithUnitLengthScale() {
        // λ = 1 at the training length (3 keys): softplus-l1 weights [0.20238971, 0.32778565, 0.46982464]
        float expected = (float) (10 * 0.20238971 + 20 * 0.32778565 + 30 * 0.46982464);
        assertThat(run(new SoftplusAttention(DH, 3, 1))).isCloseTo(expected, within(2e-5f));
        // p = 2 squares the softplus values before normalising
        double[] u = {Math.log1p(Math.exp(1)), Math.log1p(Math.exp(2)), Math.log1p(Math.exp(3))};
        double norm = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
        assertThat(run(new SoftplusAttention(DH, 3, 2)))
                .isCloseTo((float) ((10 * u[0] * u[0] + 20 * u[1] * u[1] + 30 * u[2] * u[2]) / norm), within(2e-5f));
    }

    @Test
    void sigmoidWithTheLengthBias() {
        // b = −ln 3: weights [0.47536689, 0.71123459, 0.87004851], output 45.0798159
        assertThat(run(new SigmoidAttention(DH, -Math.log(3)))).isCloseTo(45.0798159f, within(4e-5f));
    }

    @Test
    void logNScalingSharpensOnlyBeyondTheTrainingLength() {
        // trained at 2, a row of 3 keys: λ = ln 3 / ln 2 = 1.5849625
        double lambda = Math.log(3) / Math.log(2);
        double[] e = {Math.exp(lambda), Math.exp(2 * lambda), Math.exp(3 * lambda)};
        double expected = (10 * e[0] + 20 * e[1] + 30 * e[2]) / (e[0] + e[1] + e[2]);
        assertThat(run(new SoftmaxAttention(DH, new LengthScale.LogN(2)))).isCloseTo((float) expected, within(3e-5f));
        assertThat(run(new OnlineSoftmaxAttention(DH, 2, new LengthScale.LogN(2)))).isCloseTo((float) expected, within(3e-5f));
        // trained at 3 or longer: λ = 1, the plain softmax
        assertThat(run(new SoftmaxAttention(DH, new LengthScale.LogN(3)))).isEqualTo(run(new SoftmaxAttention(DH)));
        assertThat(run(new SoftmaxAttention(DH, new LengthScale.LogN(4096)))).isEqualTo(run(new SoftmaxAttention(DH)));
    }
}
