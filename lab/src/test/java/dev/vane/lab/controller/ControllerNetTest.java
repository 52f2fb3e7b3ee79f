package dev.vane.lab.controller;

import dev.vane.steering.controller.ControllerOutput;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.controller.RefusalDirection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ControllerNetTest {

    private static final int D = 16, L = 5, H = 32, B = 4;

    private static float[][] features(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] x = new float[B][4 * D];
        for (float[] row : x) for (int j = 0; j < row.length; j++) row[j] = (float) (2 * rng.nextDouble() - 1);
        return x;
    }

    /** Differentiable forward of the rows, as {s, w} per row. */
    private static ControllerOutput[] forward(ControllerNet net, float[][] x) {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] flat = new float[B * 4 * D];
            for (int i = 0; i < B; i++) System.arraycopy(x[i], 0, flat, i * 4 * D, 4 * D);
            ControllerNet.Forward f = net.forward(m.create(flat, new Shape(B, 4 * D)));
            assertThat(f.s().getShape()).isEqualTo(new Shape(B));
            assertThat(f.w().getShape()).isEqualTo(new Shape(B, L));
            float[] s = f.s().toFloatArray(), w = f.w().toFloatArray();
            ControllerOutput[] out = new ControllerOutput[B];
            for (int i = 0; i < B; i++) {
                float[] wi = new float[L];
                System.arraycopy(w, i * L, wi, 0, L);
                out[i] = new ControllerOutput(s[i], wi);
            }
            return out;
        }
    }

    @Test
    void autogradForwardMatchesPlainJavaEvaluate() {
        float[][] x = features(1);
        try (ControllerNet net = ControllerNet.init(D, L, H, 7)) {
            ControllerOutput[] expected = forward(net, x);
            for (int i = 0; i < B; i++) {
                ControllerOutput got = net.evaluate(x[i]);
                assertThat(got.s()).isCloseTo(expected[i].s(), within(1e-5f));
                assertThat(got.w()).containsExactly(expected[i].w(), within(1e-5f));
            }
            assertThat(expected[0].s()).isNotEqualTo(expected[1].s()); // the rows really differ
        }
    }

    @Test
    void weightsRoundTripThroughNamedTensors() {
        float[][] x = features(2);
        RefusalDirection dir = RefusalDirection.fromActivations(new float[][] {unit(D, 3)}, new float[][] {new float[D]});
        try (ControllerNet net = ControllerNet.init(D, L, H, 8)) {
            ControllerWeights w = net.weights(dir);
            Map<String, float[]> t = w.tensors();
            Map<String, long[]> s = w.shapes();
            assertThat(t).containsOnlyKeys("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "direction");
            assertThat(s.get("fc1.weight")).containsExactly(H, 4 * D);
            assertThat(s.get("fc2.weight")).containsExactly(1 + L, H);
            assertThat(s.get("direction")).containsExactly(D);
            for (String name : t.keySet()) {
                long n = 1;
                for (long dim : s.get(name)) n *= dim;
                assertThat(t.get(name)).as(name).hasSize((int) n);
            }

            ControllerWeights back = ControllerWeights.fromTensors(t, s);
            assertThat(back.direction()).containsExactly(dir.unit());
            ControllerOutput[] expected = forward(net, x);
            try (ControllerNet loaded = ControllerNet.of(back)) {
                ControllerOutput[] again = forward(loaded, x);
                for (int i = 0; i < B; i++) {
                    assertThat(again[i].s()).isEqualTo(expected[i].s());
                    assertThat(back.evaluate(x[i]).s()).isCloseTo(expected[i].s(), within(1e-5f));
                }
            }
        }
    }

    @Test
    void aPerLayerDirectionRoundTripsAsAnLByDTensor() {
        float[][][] harmful = new float[L][1][], benign = new float[L][1][];
        for (int l = 0; l < L; l++) {
            harmful[l][0] = unit(D, l % D);
            benign[l][0] = new float[D];
        }
        RefusalDirection dir = RefusalDirection.fromActivationGaps(harmful, benign);
        try (ControllerNet net = ControllerNet.init(D, L, H, 8)) {
            ControllerWeights w = net.weights(dir);
            assertThat(w.perLayerDirection()).isTrue();
            assertThat(w.shapes().get("direction")).containsExactly(L, D);
            ControllerWeights back = ControllerWeights.fromTensors(w.tensors(), w.shapes());
            for (int l = 0; l < L; l++) assertThat(back.direction(l)).as("layer %d", l).containsExactly(dir.at(l));
            assertThat(back.refusalDirection(RefusalDirection.Source.ACTIVATION_GAPS).at(1)).containsExactly(dir.at(1));
            assertThatThrownBy(() -> back.refusalDirection(RefusalDirection.Source.ACTIVATION_MEANS)).hasMessageContaining("per-layer");
            Map<String, long[]> wrong = new java.util.HashMap<>(w.shapes());
            wrong.put("direction", new long[] {L + 1, D});
            assertThatThrownBy(() -> ControllerWeights.fromTensors(w.tensors(), wrong)).hasMessageContaining("direction must have L=" + L);
        }
        try (ControllerNet net = ControllerNet.init(D, L + 1, H, 8)) {
            assertThatThrownBy(() -> net.weights(dir)).hasMessageContaining("direction has " + L + " layers");
        }
    }

    @Test
    void patchScaleFollowsTheGate() {
        ControllerOutput o = new ControllerOutput(-2f, new float[] {0.5f, 0.25f});
        // RAW: -2 · 4 · 0.25 = -2; SIGMOID: sigmoid(-2) · 4 · 0.25 = 0.11920292
        assertThat(o.scale(1, 4f, ControllerOutput.Gate.RAW)).isCloseTo(-2f, within(1e-6f));
        assertThat(o.scale(1, 4f, ControllerOutput.Gate.SIGMOID)).isCloseTo(0.11920292f, within(1e-6f));
        assertThatThrownBy(() -> o.scale(2, 4f, ControllerOutput.Gate.RAW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer");
    }

    @Test
    void featuresConcatenateTheLastFourBlocksInOrder() {
        float[] f = ControllerNet.features(new float[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}});
        assertThat(f).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThatThrownBy(() -> ControllerNet.features(new float[][] {{1}, {2}, {3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blocks");
    }

    @Test
    void rejectsWrongShapes() {
        try (ControllerNet net = ControllerNet.init(D, L, H, 9); NDManager m = NDManager.newBaseManager()) {
            NDArray bad = m.zeros(new Shape(2, 3 * D));
            assertThatThrownBy(() -> net.forward(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("features");
            assertThatThrownBy(() -> net.evaluate(new float[D])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("features");
        }
        assertThatThrownBy(() -> ControllerNet.init(D, 0, H, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers");
        Map<String, float[]> t = Map.of("fc1.weight", new float[1]);
        assertThatThrownBy(() -> ControllerWeights.fromTensors(t, Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensors");
    }

    private static float[] unit(int d, int axis) {
        float[] u = new float[d];
        u[axis] = 1;
        return u;
    }
}
