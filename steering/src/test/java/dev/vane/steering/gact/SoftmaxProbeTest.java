package dev.vane.steering.gact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxProbeTest {

    private static final int K = 3, D = 10;

    /** Class c is centred on 3·e_c (+ shift on dimension 0), unit noise. */
    private static float[][] sample(SplittableRandom rng, int[] y, float shift) {
        float[][] x = new float[y.length][];
        for (int i = 0; i < y.length; i++) {
            y[i] = rng.nextInt(K);
            x[i] = Synthetic.gaussian(rng, D, 0.7);
            x[i][y[i]] += 3;
            x[i][0] += shift;
        }
        return x;
    }

    @Test
    void probabilitiesAndPredictionOnAHandExample() {
        float ln2 = (float) Math.log(2);
        SoftmaxProbe p = SoftmaxProbe.of(new float[][] {{1, 0}, {0, 1}, {0, 0}}, new float[] {0, 0, ln2});
        // logits (ln2, 0, ln2) -> exp (2, 1, 2) / 5
        assertThat(p.probabilities(new float[] {ln2, 0})).containsExactly(new float[] {0.4f, 0.2f, 0.4f}, within(1e-6f));
        assertThat(p.predict(new float[] {ln2, 0})).isZero(); // tie -> lowest index
        assertThat(p.predict(new float[] {0, 5})).isEqualTo(1);
    }

    @Test
    void learnsSeparableClassesOnHeldOutData() {
        SplittableRandom rng = new SplittableRandom(5);
        int[] y = new int[150], yt = new int[150];
        float[][] x = sample(rng, y, 0), xt = sample(rng, yt, 0);
        SoftmaxProbe p = SoftmaxProbe.train(x, y, K, SoftmaxProbe.Config.defaults());
        assertThat(p.accuracy(xt, yt)).isGreaterThanOrEqualTo(0.95);
        float[] probs = p.probabilities(xt[0]);
        assertThat(probs[0] + probs[1] + probs[2]).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void refinementOnAFewShiftedExamplesRecoversAccuracy() {
        SplittableRandom rng = new SplittableRandom(9);
        int[] ya = new int[150];
        float[][] a = sample(rng, ya, 0);
        SoftmaxProbe probe = SoftmaxProbe.train(a, ya, K, SoftmaxProbe.Config.defaults());
        // set B: every activation moved by +4 on dimension 0, which the A-probe reads as class 0
        int[] yFew = new int[30], yHeld = new int[300];
        float[][] few = sample(rng, yFew, 4), held = sample(rng, yHeld, 4);
        double before = probe.accuracy(held, yHeld);
        float[][] w0 = probe.weight();

        SoftmaxProbe refined = probe.refine(few, yFew, 200, 1.0);
        double after = refined.accuracy(held, yHeld);

        assertThat(before).isLessThan(0.6);
        assertThat(after).isGreaterThanOrEqualTo(0.9).isGreaterThan(before + 0.3);
        assertThat(probe.weight()).isDeepEqualTo(w0); // refine returns a new probe
    }

    @Test
    void refinementStepDoesNotDependOnTheActivationScale() {
        SplittableRandom rng = new SplittableRandom(10);
        int[] y = new int[60];
        float[][] x = sample(rng, y, 4), big = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            big[i] = x[i].clone();
            for (int j = 0; j < D; j++) big[i][j] *= 100;
        }
        SoftmaxProbe zero = SoftmaxProbe.of(new float[K][D], new float[K]);
        SoftmaxProbe small = zero.refine(x, y, 50, 1.0), large = zero.refine(big, y, 50, 1.0);
        // a 100× larger input gets a ~100²× smaller step, so W·x moves about as fast in both
        assertThat(small.accuracy(x, y)).isGreaterThan(0.9);
        assertThat(large.accuracy(big, y)).isGreaterThan(0.9);
        float[] ps = small.probabilities(x[0]), pl = large.probabilities(big[0]);
        assertThat(pl).containsExactly(ps, within(0.05f));
    }

    @Test
    void rejectsInvalidArguments() {
        SoftmaxProbe p = SoftmaxProbe.of(new float[][] {{1, 0}, {0, 1}}, new float[] {0, 0});
        float[][] x = {{1, 0}};
        assertThatThrownBy(() -> p.refine(x, new int[] {2}, 1, 0.1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y");
        assertThatThrownBy(() -> p.refine(x, new int[] {0}, 0, 0.1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps");
        assertThatThrownBy(() -> p.refine(x, new int[] {0}, 1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lr");
        assertThatThrownBy(() -> p.probabilities(new float[3])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activation");
        assertThatThrownBy(() -> SoftmaxProbe.train(x, new int[] {0}, 1, SoftmaxProbe.Config.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k");
        assertThatThrownBy(() -> new SoftmaxProbe.Config(10, -1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learningRate");
    }
}
