package dev.vane.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Properties of every kernel over random shapes, masks, block sizes and lengths: the exact
 * reformulations equal the reference, every array form equals a double-precision definition and
 * its own tensor form, and no row gives NaN.
 */
class KernelPropertiesTest {

    /** A kernel under test and its definition: the weights of a row of logits {@code z = s·q·k} (before any length scale). */
    record Kind(String name, IntFunction<Attention> make, Weights weights) {
        @Override
        public String toString() { return name; }
    }

    interface Weights {
        double[] of(double[] z, int n);
    }

    static double[] softmax(double[] z, double lambda) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : z) max = Math.max(max, lambda * x);
        double sum = 0;
        double[] w = new double[z.length];
        for (int j = 0; j < z.length; j++) sum += w[j] = Math.exp(lambda * z[j] - max);
        for (int j = 0; j < z.length; j++) w[j] /= sum;
        return w;
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static List<Kind> kinds() {
        List<Kind> kinds = new ArrayList<>();
        kinds.add(new Kind("softmax", SoftmaxAttention::new, (z, n) -> softmax(z, 1)));
        kinds.add(new Kind("softmax log-n 16", dh -> new SoftmaxAttention(dh, new LengthScale.LogN(16)),
                (z, n) -> softmax(z, Math.max(1, Math.log(n) / Math.log(16)))));
        for (int block : new int[] {1, 7, 64, 256}) {
            kinds.add(new Kind("online " + block, dh -> new OnlineSoftmaxAttention(dh, block, LengthScale.NONE), (z, n) -> softmax(z, 1)));
            kinds.add(new Kind("two-pass " + block, dh -> new TwoPassSoftmaxAttention(dh, block, LengthScale.NONE), (z, n) -> softmax(z, 1)));
        }
        kinds.add(new Kind("online log-n 16", dh -> new OnlineSoftmaxAttention(dh, 32, new LengthScale.LogN(16)),
                (z, n) -> softmax(z, Math.max(1, Math.log(n) / Math.log(16)))));
        for (double p : new double[] {1, 1.5, 2, 3.5}) {
            kinds.add(new Kind("softplus p " + p, dh -> new SoftplusAttention(dh, 32, p), (z, n) -> {
                double lambda = Math.log(n) / Math.log(32);
                double[] u = new double[z.length];
                double sum = 0;
                for (int j = 0; j < z.length; j++) sum += u[j] = Math.pow(softplus(lambda * z[j]), p);
                for (int j = 0; j < z.length; j++) u[j] = sum > 0 ? u[j] / sum : 0;
                return u;
            }));
        }
        kinds.add(new Kind("sigmoid", dh -> new SigmoidAttention(dh, -Math.log(64)), (z, n) -> {
            double[] w = new double[z.length];
            for (int j = 0; j < z.length; j++) w[j] = 1 / (1 + Math.exp(-(z[j] - Math.log(64))));
            return w;
        }));
        return kinds;
    }

    /** {@code out[h] = Σ_j w_j(q[h]·K/√Dh) V[j]} in doubles. */
    static double[] naive(Kind kind, float[] q, int heads, float[] k, float[] v, int n, int dh) {
        double[] out = new double[heads * dh];
        double scale = 1 / Math.sqrt(dh);
        for (int h = 0; h < heads; h++) {
            double[] z = new double[n];
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int i = 0; i < dh; i++) dot += (double) q[h * dh + i] * k[j * dh + i];
                z[j] = dot * (float) scale;
            }
            double[] w = kind.weights().of(z, n);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < dh; i++) out[h * dh + i] += w[j] * v[j * dh + i];
        }
        return out;
    }

    @Test
    void everyArrayFormEqualsItsDefinitionOverRandomShapesAndLengths() {
        SplittableRandom r = new SplittableRandom(7);
        for (Kind kind : kinds())
            for (int trial = 0; trial < 12; trial++) {
                int dh = new int[] {8, 16, 64, 72, 128}[r.nextInt(5)], heads = 1 + r.nextInt(4);
                int n = trial == 0 ? 1 : trial < 4 ? 1 + r.nextInt(20) : 1 + r.nextInt(900);
                float[] q = SoftmaxAttentionTest.random(r, heads * dh, 2), k = SoftmaxAttentionTest.random(r, n * dh, 2);
                float[] v = SoftmaxAttentionTest.random(r, n * dh, 1);
                double[] expected = naive(kind, q, heads, k, v, n, dh);
                float[] out = new float[heads * dh];
                kind.make().apply(dh).attend(q, 0, heads, k, v, 0, n, out, 0);
                for (int i = 0; i < expected.length; i++)
                    assertThat((double) out[i]).as("%s, Dh %d, %d heads, %d keys, output %d", kind, dh, heads, n, i)
                            .isCloseTo(expected[i], within(1e-5 + 1e-5 * Math.abs(expected[i])));
            }
    }

    @Test
    void onlineAndTwoPassEqualTheReferenceWithin1e5() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 60; trial++) {
            int dh = new int[] {8, 16, 64, 128}[r.nextInt(4)], heads = 1 + r.nextInt(4);
            int n = 1 + r.nextInt(trial % 3 == 0 ? 3000 : 300), block = 1 + r.nextInt(trial % 2 == 0 ? 16 : 512);
            LengthScale length = r.nextBoolean() ? LengthScale.NONE : new LengthScale.LogN(2 + r.nextInt(100));
            double spread = r.nextBoolean() ? 1 : 8; // wide rows: large logits, most weights underflow
            float[] q = SoftmaxAttentionTest.random(r, heads * dh, spread), k = SoftmaxAttentionTest.random(r, n * dh, spread);
            float[] v = SoftmaxAttentionTest.random(r, n * dh, 1);
            float[] ref = new float[heads * dh], online = new float[heads * dh], twoPass = new float[heads * dh];
            new SoftmaxAttention(dh, length).attend(q, 0, heads, k, v, 0, n, ref, 0);
            new OnlineSoftmaxAttention(dh, block, length).attend(q, 0, heads, k, v, 0, n, online, 0);
            new TwoPassSoftmaxAttention(dh, block, length).attend(q, 0, heads, k, v, 0, n, twoPass, 0);
            for (int i = 0; i < ref.length; i++) {
                String at = String.format("Dh %d, %d heads, %d keys, block %d, %s, output %d", dh, heads, n, block, length, i);
                assertThat(online[i]).as("online, " + at).isCloseTo(ref[i], within(1e-5f));
                assertThat(twoPass[i]).as("two-pass, " + at).isCloseTo(ref[i], within(1e-5f));
            }
        }
    }

    /** Within one block the online kernel runs the reference's own operations: the same bits, not just close. */
    @Test
    void onlineOverOneBlockGivesTheReferencesBits() {
        SplittableRandom r = new SplittableRandom(12);
        for (int trial = 0; trial < 40; trial++) {
            int dh = new int[] {8, 16, 64, 128}[r.nextInt(4)], heads = 1 + r.nextInt(4), block = 1 + r.nextInt(512), n = 1 + r.nextInt(block);
            LengthScale length = r.nextBoolean() ? LengthScale.NONE : new LengthScale.LogN(2 + r.nextInt(100));
            float[] q = SoftmaxAttentionTest.random(r, heads * dh, 4), k = SoftmaxAttentionTest.random(r, n * dh, 4);
            float[] v = SoftmaxAttentionTest.random(r, n * dh, 1);
            float[] ref = new float[heads * dh], online = new float[heads * dh];
            new SoftmaxAttention(dh, length).attend(q, 0, heads, k, v, 0, n, ref, 0);
            new OnlineSoftmaxAttention(dh, block, length).attend(q, 0, heads, k, v, 0, n, online, 0);
            assertThat(online).as("Dh %d, %d heads, %d keys, block %d, %s", dh, heads, n, block, length).containsExactly(ref);
        }
    }

    @Test
    void everyTensorFormEqualsItsArrayFormUnderCausalAndWindowedMasks() {
        SplittableRandom r = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Kind kind : kinds())
                for (int trial = 0; trial < 4; trial++) {
                    int b = 1 + r.nextInt(2), g = 1 + r.nextInt(2), rr = 1 + r.nextInt(3), t = 1 + r.nextInt(5);
                    int keys = t + r.nextInt(40), window = r.nextInt(3) == 0 ? 1 + r.nextInt(keys) : 0, dh = 16;
                    Attention a = kind.make().apply(dh);
                    float[] q = SoftmaxAttentionTest.random(r, b * g * rr * t * dh, 2);
                    float[] k = SoftmaxAttentionTest.random(r, b * g * keys * dh, 2), v = SoftmaxAttentionTest.random(r, b * g * keys * dh, 1);
                    int[][] qPos = new int[b][t], kPos = new int[b][keys];
                    for (int x = 0; x < b; x++) {
                        for (int i = 0; i < t; i++) qPos[x][i] = keys - t + i;
                        for (int j = 0; j < keys; j++) kPos[x][j] = j;
                    }
                    NDArray mask = m.create(AttentionMask.additive(qPos, kPos, window), new Shape(b, 1, 1, t, keys));
                    float[] tensor = a.attend(m.create(q, new Shape(b, g, (long) rr * t, dh)), m.create(k, new Shape(b, g, keys, dh)),
                            m.create(v, new Shape(b, g, keys, dh)), mask, rr).toFloatArray();        // [B, G, R*T, Dh]
                    for (int x = 0; x < b; x++)
                        for (int gg = 0; gg < g; gg++)
                            for (int i = 0; i < t; i++) {
                                int lo = AttentionMask.firstVisible(qPos[x][i], window), visible = qPos[x][i] - lo + 1;
                                float[] heads = new float[rr * dh];
                                for (int h = 0; h < rr; h++)
                                    System.arraycopy(q, (((x * g + gg) * rr + h) * t + i) * dh, heads, h * dh, dh);
                                float[] out = new float[rr * dh];
                                a.attend(heads, 0, rr, k, v, ((x * g + gg) * keys + lo) * dh, visible, out, 0);
                                for (int h = 0; h < rr; h++)
                                    for (int e = 0; e < dh; e++)
                                        assertThat(out[h * dh + e]).as("%s, window %d, query %d, head %d", kind, window, i, h)
                                                .isCloseTo(tensor[(((x * g + gg) * rr + h) * t + i) * dh + e], within(1e-5f));
                            }
                }
        }
    }

    @Test
    void rowsThatSeeNoKeyGiveZerosNotNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(3);
            int dh = 16, keys = 4;
            // the query at position 0 sees no key of positions 1..4
            NDArray mask = m.create(AttentionMask.additive(new int[][] {{0, 2}}, new int[][] {{1, 2, 3, 4}}, 0), new Shape(1, 1, 1, 2, keys));
            for (Kind kind : kinds()) {
                Attention a = kind.make().apply(dh);
                float[] o = a.attend(m.create(SoftmaxAttentionTest.random(r, 2 * dh, 1), new Shape(1, 1, 2, dh)),
                        m.create(SoftmaxAttentionTest.random(r, keys * dh, 1), new Shape(1, 1, keys, dh)),
                        m.create(SoftmaxAttentionTest.random(r, keys * dh, 1), new Shape(1, 1, keys, dh)), mask, 1).toFloatArray();
                for (int e = 0; e < dh; e++) assertThat(o[e]).as("%s, the row that sees nothing", kind).isZero();
                for (int e = dh; e < 2 * dh; e++) assertThat(Float.isFinite(o[e])).as("%s, the row that sees two keys", kind).isTrue();
                float[] empty = new float[dh];
                java.util.Arrays.fill(empty, Float.NaN);
                a.attend(new float[dh], 0, 1, new float[0], new float[0], 0, 0, empty, 0);
                assertThat(empty).as("%s, array form with no key", kind).containsOnly(0f);
            }
        }
    }

    @Test
    void softplusNeverGivesAMaskedKeyWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(9);
            int dh = 16, keys = 6;
            float[] q = SoftmaxAttentionTest.random(r, dh, 1), k = SoftmaxAttentionTest.random(r, keys * dh, 1);
            float[] v = SoftmaxAttentionTest.random(r, keys * dh, 1);
            // query at position 3: keys 4 and 5 are masked; give them values that would dominate any weight
            for (int e = 0; e < dh; e++) {
                v[4 * dh + e] = 1e6f;
                v[5 * dh + e] = -3e6f;
            }
            NDArray mask = m.create(AttentionMask.additive(new int[][] {{3}}, new int[][] {{0, 1, 2, 3, 4, 5}}, 0), new Shape(1, 1, 1, 1, keys));
            for (double p : new double[] {1, 2}) {
                SoftplusAttention a = new SoftplusAttention(dh, 8, p);
                float[] masked = a.attend(m.create(q, new Shape(1, 1, 1, dh)), m.create(k, new Shape(1, 1, keys, dh)),
                        m.create(v, new Shape(1, 1, keys, dh)), mask, 1).toFloatArray();
                float[] visibleOnly = new float[dh];
                a.attend(q, 0, 1, k, v, 0, 4, visibleOnly, 0);
                for (int e = 0; e < dh; e++) assertThat(masked[e]).as("p %s, element %d", p, e).isCloseTo(visibleOnly[e], within(1e-5f));
            }
        }
    }
}
