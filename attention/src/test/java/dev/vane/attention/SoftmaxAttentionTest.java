package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The reference kernel's two forms against a plain double-precision softmax attention, and against each other. */
class SoftmaxAttentionTest {

    /** {@code out[h] = Σ_j softmax_j(q[h]·K[j]/√Dh) V[j]} in doubles. */
    static double[] naive(float[] q, int heads, float[] k, float[] v, int n, int dh) {
        double[] out = new double[heads * dh];
        double scale = 1 / Math.sqrt(dh);
        for (int h = 0; h < heads; h++) {
            double[] s = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int i = 0; i < dh; i++) dot += (double) q[h * dh + i] * k[j * dh + i];
                s[j] = dot * scale;
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) sum += s[j] = Math.exp(s[j] - max);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < dh; i++) out[h * dh + i] += s[j] / sum * v[j * dh + i];
        }
        return out;
    }

    static float[] random(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return x;
    }

    @ParameterizedTest(name = "Dh {0}, {1} heads, {2} keys")
    @CsvSource({"8, 1, 1", "8, 3, 9", "16, 2, 17", "64, 4, 100", "72, 2, 33", "128, 8, 7", "64, 1, 513"})
    void theArrayFormMatchesTheDefinitionAtAnyOffset(int dh, int heads, int n) {
        SplittableRandom r = new SplittableRandom(dh * 31L + heads * 7L + n);
        float[] q = random(r, heads * dh, 2), k = random(r, n * dh, 2), v = random(r, n * dh, 1);
        double[] expected = naive(q, heads, k, v, n, dh);
        // the same values placed at offsets inside larger arrays, as the decoder lays them out
        int q0 = 3 * dh, kv0 = 5 * dh, o0 = 2 * dh;
        float[] qs = new float[q0 + q.length + dh], ks = new float[kv0 + k.length], vs = new float[kv0 + v.length];
        System.arraycopy(q, 0, qs, q0, q.length);
        System.arraycopy(k, 0, ks, kv0, k.length);
        System.arraycopy(v, 0, vs, kv0, v.length);
        float[] out = new float[o0 + heads * dh + dh];
        new SoftmaxAttention(dh).attend(qs, q0, heads, ks, vs, kv0, n, out, o0);
        for (int i = 0; i < expected.length; i++)
            assertThat((double) out[o0 + i]).as("output %d", i).isCloseTo(expected[i], within(1e-5 + 1e-5 * Math.abs(expected[i])));
        assertThat(out[o0 - 1]).as("nothing written before the output").isZero();
        assertThat(out[o0 + heads * dh]).as("nothing written after the output").isZero();
    }

    @Test
    void theWorkedExample() {
        // scores z = q·k/√Dh = [1, 2, 3] (Dh = 16, q = 4·e0, k_j = j·e0), values v_j = [10, 20, 30]·e0
        int dh = 16;
        float[] q = new float[dh], k = new float[3 * dh], v = new float[3 * dh];
        q[0] = 4;
        for (int j = 0; j < 3; j++) {
            k[j * dh] = j + 1;
            v[j * dh] = 10 * (j + 1);
        }
        float[] out = new float[dh];
        new SoftmaxAttention(dh).attend(q, 0, 1, k, v, 0, 3, out, 0);
        // softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]; 10·w₀ + 20·w₁ + 30·w₂ = 25.7521038
        assertThat(out[0]).isCloseTo(25.7521038f, within(2e-5f));
        for (int i = 1; i < dh; i++) assertThat(out[i]).isZero();
    }

    @Test
    void oneVisibleKeyGivesItsValueAndLargeScoresStayFinite() {
        int dh = 16;
        SplittableRandom r = new SplittableRandom(3);
        float[] q = random(r, dh, 1), k = random(r, dh, 1), v = random(r, dh, 1);
        float[] out = new float[dh];
        new SoftmaxAttention(dh).attend(q, 0, 1, k, v, 0, 1, out, 0);
        assertThat(out).containsExactly(v);
        // scores far beyond exp's range: softmax subtracts the maximum first
        float[] big = random(r, 4 * dh, 1e4), vals = random(r, 4 * dh, 1);
        float[] o = new float[dh];
        new SoftmaxAttention(dh).attend(random(r, dh, 1e4), 0, 1, big, vals, 0, 4, o, 0);
        for (float x : o) assertThat(Float.isFinite(x)).isTrue();
    }

    @Test
    void resultsDoNotDependOnOtherItemsOrTheCallingThread() throws Exception {
        int dh = 64, n = 40;
        SplittableRandom r = new SplittableRandom(11);
        float[] q = random(r, 2 * dh, 1), k = random(r, n * dh, 1), v = random(r, n * dh, 1);
        SoftmaxAttention a = new SoftmaxAttention(dh);
        float[] first = new float[2 * dh];
        a.attend(q, 0, 2, k, v, 0, n, first, 0);
        float[] longer = new float[2 * dh];
        a.attend(random(r, 8 * dh, 1), 0, 8, random(r, 300 * dh, 1), random(r, 300 * dh, 1), 0, 300, new float[8 * dh], 0);
        Thread t = new Thread(() -> a.attend(q, 0, 2, k, v, 0, n, longer, 0));
        t.start();
        t.join();
        assertThat(longer).containsExactly(first);
    }

    @ParameterizedTest(name = "B {0}, G {1}, R {2}, T {3}, K {4}")
    @CsvSource({"1, 1, 1, 1, 5", "2, 2, 3, 4, 9", "1, 4, 2, 6, 6"})
    void theTensorFormEqualsTheArrayFormUnderACausalMask(int b, int g, int rr, int t, int keys) {
        int dh = 16;
        SplittableRandom rnd = new SplittableRandom(b * 100L + g * 10L + t);
        float[] q = random(rnd, b * g * rr * t * dh, 1), k = random(rnd, b * g * keys * dh, 1), v = random(rnd, b * g * keys * dh, 1);
        // query (b, t) sits at absolute position keys - t + t', keys at 0 .. keys-1
        int[][] qPos = new int[b][t], kPos = new int[b][keys];
        for (int x = 0; x < b; x++) {
            for (int i = 0; i < t; i++) qPos[x][i] = keys - t + i;
            for (int j = 0; j < keys; j++) kPos[x][j] = j;
        }
        SoftmaxAttention attention = new SoftmaxAttention(dh);
        float[] tensor;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(AttentionMask.additive(qPos, kPos, 0), new Shape(b, 1, 1, t, keys));
            tensor = attention.attend(m.create(q, new Shape(b, g, (long) rr * t, dh)), m.create(k, new Shape(b, g, keys, dh)),
                    m.create(v, new Shape(b, g, keys, dh)), mask, rr).toFloatArray();          // [B, G, R*T, Dh]
        }
        for (int x = 0; x < b; x++)
            for (int gg = 0; gg < g; gg++)
                for (int i = 0; i < t; i++) {
                    int visible = qPos[x][i] + 1;
                    // the R query heads of (x, gg) at query i, side by side
                    float[] heads = new float[rr * dh];
                    for (int h = 0; h < rr; h++)
                        System.arraycopy(q, (((x * g + gg) * rr + h) * t + i) * dh, heads, h * dh, dh);
                    float[] out = new float[rr * dh];
                    attention.attend(heads, 0, rr, k, v, (x * g + gg) * keys * dh, visible, out, 0);
                    for (int h = 0; h < rr; h++)
                        for (int e = 0; e < dh; e++)
                            assertThat(out[h * dh + e]).isCloseTo(tensor[(((x * g + gg) * rr + h) * t + i) * dh + e], within(1e-5f));
                }
    }

    @Test
    void aHeadDimMustBePositive() {
        assertThatThrownBy(() -> new SoftmaxAttention(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new SoftmaxAttention(64).headDim()).isEqualTo(64);
    }
}
