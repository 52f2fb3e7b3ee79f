package dev.vane.steering.gact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GactSelectorTest {

    /** Layer 5: W = I, b = 0, μ_0 = (1, 0), μ_1 = (0, 2). */
    private static GactSelector selector() {
        TreeMap<Integer, GactWeights.Layer> layers = new TreeMap<>();
        layers.put(5, new GactWeights.Layer(new float[][] {{1, 0}, {0, 2}},
                SoftmaxProbe.of(new float[][] {{1, 0}, {0, 1}}, new float[] {0, 0})));
        return new GactSelector(new GactWeights(2, 2, layers));
    }

    @Test
    void argmaxAndSoftDeltasOnAHandExample() {
        float[] a = {(float) Math.log(3), 0}; // logits (ln3, 0) -> p = (3/4, 1/4)
        GactSelector s = selector();

        GactSelector.Selection hard = s.select(5, a, GactSelector.Mode.ARGMAX, 2f);
        assertThat(hard.cluster()).isZero();
        assertThat(hard.probabilities()).containsExactly(new float[] {0.75f, 0.25f}, within(1e-6f));
        assertThat(hard.delta()).containsExactly(new float[] {2f, 0f}, within(1e-6f));

        GactSelector.Selection soft = s.select(5, a, GactSelector.Mode.SOFT, 2f);
        assertThat(soft.cluster()).isZero();
        // 2 · (0.75·(1,0) + 0.25·(0,2)) = (1.5, 1.0)
        assertThat(soft.delta()).containsExactly(new float[] {1.5f, 1.0f}, within(1e-6f));
        assertThat(a).containsExactly((float) Math.log(3), 0f); // input untouched
    }

    @Test
    void refinementReturnsANewSelectorThatChangesTheChoice() {
        GactSelector s = selector();
        float[] a = {1, 0};
        GactSelector r = s.refine(5, new float[][] {a}, new int[] {1}, 50, 1.0);
        assertThat(r.select(5, a, GactSelector.Mode.ARGMAX, 1f).cluster()).isEqualTo(1);
        assertThat(s.select(5, a, GactSelector.Mode.ARGMAX, 1f).cluster()).isZero();
    }

    @Test
    void rejectsUnfittedLayersAndWrongWidths() {
        GactSelector s = selector();
        assertThat(s.covers(5)).isTrue();
        assertThat(s.covers(4)).isFalse();
        assertThatThrownBy(() -> s.select(4, new float[2], GactSelector.Mode.ARGMAX, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 4");
        assertThatThrownBy(() -> s.select(5, new float[3], GactSelector.Mode.ARGMAX, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activation");
    }
}
