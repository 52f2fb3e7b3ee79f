package dev.vane.steering.gact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GactWeightsTest {

    private static GactWeights weights() {
        TreeMap<Integer, GactWeights.Layer> layers = new TreeMap<>();
        layers.put(3, new GactWeights.Layer(new float[][] {{1, 2, 3}, {4, 5, 6}},
                SoftmaxProbe.of(new float[][] {{0.1f, 0.2f, 0.3f}, {0.4f, 0.5f, 0.6f}}, new float[] {-1, 1})));
        layers.put(10, new GactWeights.Layer(new float[][] {{7, 8, 9}, {1, 0, 1}},
                SoftmaxProbe.of(new float[][] {{1, 1, 1}, {2, 2, 2}}, new float[] {0.5f, 0.25f})));
        return new GactWeights(3, 2, layers);
    }

    @Test
    void exportsNamedTensorsInHfLayoutAndImportsThemBack() {
        GactWeights w = weights();
        Map<String, float[]> t = w.tensors();
        Map<String, long[]> s = w.shapes();
        assertThat(t).containsOnlyKeys("layer.3.directions", "layer.3.probe.weight", "layer.3.probe.bias",
                "layer.10.directions", "layer.10.probe.weight", "layer.10.probe.bias");
        assertThat(t.get("layer.3.probe.weight")).containsExactly(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f);
        assertThat(s.get("layer.10.directions")).containsExactly(2, 3);
        assertThat(s.get("layer.10.probe.bias")).containsExactly(2);

        GactWeights back = GactWeights.fromTensors(t, s);
        assertThat(back.hiddenSize()).isEqualTo(3);
        assertThat(back.clusters()).isEqualTo(2);
        assertThat(back.layers().keySet()).containsExactly(3, 10);
        assertThat(back.layers().get(10).directions()).isDeepEqualTo(new float[][] {{7, 8, 9}, {1, 0, 1}});
        assertThat(back.layers().get(3).probe().weight()).isDeepEqualTo(w.layers().get(3).probe().weight());
        assertThat(back.layers().get(10).probe().bias()).containsExactly(0.5f, 0.25f);
    }

    @Test
    void importRejectsUnknownNamesMissingPartsAndWrongShapes() {
        GactWeights w = weights();
        Map<String, float[]> t = new HashMap<>(w.tensors());
        Map<String, long[]> s = new HashMap<>(w.shapes());
        t.put("layer.3.bogus", new float[1]);
        assertThatThrownBy(() -> GactWeights.fromTensors(t, s)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown");
        t.remove("layer.3.bogus");
        t.remove("layer.10.probe.bias");
        assertThatThrownBy(() -> GactWeights.fromTensors(t, s)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every layer");
        t.put("layer.10.probe.bias", new float[2]);
        s.put("layer.10.directions", new long[] {3, 2});
        assertThatThrownBy(() -> GactWeights.fromTensors(t, s)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("disagree");
    }
}
