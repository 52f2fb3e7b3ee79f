package dev.vane.steering.gact;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Refinement steps in the fit's standardised feature space: a feature with a huge raw variance
 * does not swamp the step on the small features that carry the new labels.
 */
class ProbeRefineStandardisedTest {

    private static final int D = 8, N = 64;

    /** Rows: feature 0 noise of scale 1000, features 1 and 2 small (scale 0.01) around ±0.1 by their own signs. */
    private static float[][] rows(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[N][D];
        for (int i = 0; i < N; i++) {
            x[i][0] = (float) (1000 * r.nextGaussian());
            for (int j = 1; j < D; j++) x[i][j] = (float) (0.01 * r.nextGaussian() + (j <= 2 ? (r.nextBoolean() ? 0.1 : -0.1) : 0));
        }
        return x;
    }

    private static int[] labelsBy(float[][] x, int feature) {
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i][feature] >= 0 ? 0 : 1;
        return y;
    }

    @Test
    void aFittedProbeRefinesInItsStandardisedSpaceAndKeepsItsStandardisation() {
        float[][] fit = rows(1);
        SoftmaxProbe probe = SoftmaxProbe.train(fit, labelsBy(fit, 1), 2, SoftmaxProbe.Config.defaults());
        assertThat(probe.standardisation()).isPresent();
        assertThat(probe.accuracy(fit, labelsBy(fit, 1))).isEqualTo(1.0);
        // feedback: the concept is now feature 2's sign
        float[][] feedback = rows(2);
        int[] y = labelsBy(feedback, 2);
        SoftmaxProbe refined = probe.refine(feedback, y, 300, 1.0);
        assertThat(refined.accuracy(feedback, y)).isEqualTo(1.0);
        assertThat(refined.standardisation().orElseThrow().scale()).isEqualTo(probe.standardisation().orElseThrow().scale());
        // the same probe without its standardisation steps in the examples' common scale, dominated by feature 0
        SoftmaxProbe bare = SoftmaxProbe.of(probe.weight(), probe.bias());
        assertThat(bare.refine(feedback, y, 300, 1.0).accuracy(feedback, y)).isLessThan(0.9);
    }

    @Test
    void theStandardisationTravelsWithTheArtifactTensors() {
        float[][] fit = rows(3);
        SoftmaxProbe probe = SoftmaxProbe.train(fit, labelsBy(fit, 1), 2, SoftmaxProbe.Config.defaults());
        TreeMap<Integer, GactWeights.Layer> layers = new TreeMap<>();
        layers.put(2, new GactWeights.Layer(new float[2][D], probe));
        layers.put(3, new GactWeights.Layer(new float[2][D], SoftmaxProbe.of(probe.weight(), probe.bias())));
        GactWeights w = new GactWeights(D, 2, layers);
        Map<String, float[]> t = w.tensors();
        assertThat(t).containsKeys("layer.2.probe.mean", "layer.2.probe.scale").doesNotContainKeys("layer.3.probe.mean");
        GactWeights back = GactWeights.fromTensors(t, w.shapes());
        assertThat(back.layers().get(2).probe().standardisation().orElseThrow().mean())
                .isEqualTo(probe.standardisation().orElseThrow().mean());
        assertThat(back.layers().get(3).probe().standardisation()).isEmpty();
        Map<String, float[]> half = new TreeMap<>(t);
        half.remove("layer.2.probe.scale");
        Map<String, long[]> shapes = new TreeMap<>(w.shapes());
        shapes.remove("layer.2.probe.scale");
        assertThatThrownBy(() -> GactWeights.fromTensors(half, shapes)).hasMessageContaining("probe.mean and probe.scale together");
        assertThatThrownBy(() -> new SoftmaxProbe.Standardisation(new float[] {0}, new float[] {0}))
                .hasMessageContaining("scale must be finite and > 0");
        assertThatThrownBy(() -> SoftmaxProbe.of(probe.weight(), probe.bias(), Optional.of(new SoftmaxProbe.Standardisation(
                new float[3], new float[] {1, 1, 1})))).hasMessageContaining("length D=" + D);
    }
}
