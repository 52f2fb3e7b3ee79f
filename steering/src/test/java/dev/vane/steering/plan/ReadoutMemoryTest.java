package dev.vane.steering.plan;

import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepContext;
import dev.vane.steering.lac.LacRule;
import dev.vane.steering.plan.InterventionSpec.SkipMode;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LAC readout driven through its public hook interface on synthetic residuals: it feeds the final
 * norm each token's last active layer's output, and the memory it needs for a step does not grow
 * with the number of layers (one running buffer, not every layer's output).
 */
class ReadoutMemoryTest {

    private static final int D = 512, T = 16;
    private static final double ALPHA = 0.6;

    /** Residual states {@code [L + 1][T·D]}: the embedding output, then each layer's; position t of state s is {@code c[s][t]·u_s}. */
    private record Run(float[][] states, double[][] norms) {}

    private static Run run(int layers, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] states = new float[layers + 1][T * D];
        double[][] norms = new double[T][layers + 1];
        for (int s = 0; s <= layers; s++)
            for (int t = 0; t < T; t++) {
                double norm = 0;
                for (int i = 0; i < D; i++) {
                    float v = (float) (rnd.nextDouble(-1, 1) * (1 + s * rnd.nextDouble()));
                    states[s][t * D + i] = v;
                    norm += (double) v * v;
                }
                norms[t][s] = Math.sqrt(norm);
            }
        return new Run(states, norms);
    }

    /** One prompt step of {@code layers} layers through the bound row; returns the residual the final norm reads. */
    private static float[] step(SteeringRow row, Run r, int layers) {
        StepContext.Row ctx = new StepContext.Row(0, T, Phase.PROMPT, true);
        float[] x = new float[T * D];
        System.arraycopy(r.states()[0], 0, x, 0, x.length);
        HookSite pre = HookSite.of(0, Component.RESID_PRE);
        if (row.actsAt(pre, ctx)) row.apply(pre, x, 0, T, D, ctx);
        for (int l = 0; l < layers; l++) {
            System.arraycopy(r.states()[l + 1], 0, x, 0, x.length); // what layer l outputs
            HookSite post = HookSite.of(l, Component.RESID_POST);
            if (row.actsAt(post, ctx)) row.apply(post, x, 0, T, D, ctx);
        }
        return x;
    }

    private static SteeringRow readout(int layers) {
        return SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.LayerSkip(SkipMode.READOUT, ALPHA, 0.5, PhaseScope.BOTH),
                "inline", "vane.layer_skip")), new TestArtifacts(), new ModelShape(layers, D)).bind();
    }

    @Test
    void theFinalNormReadsEachTokensLastActiveLayersOutput() {
        int layers = 12;
        Run r = run(layers, 7);
        float[] out = step(readout(layers), r, layers);
        int replaced = 0;
        for (int t = 0; t < T; t++) {
            boolean[] active = LacRule.active(r.norms()[t], ALPHA);
            int last = -1; // the embedding output
            for (int l = 0; l < layers; l++) if (active[l]) last = l;
            float[] expected = Arrays.copyOfRange(r.states()[last + 1], t * D, (t + 1) * D);
            assertThat(Arrays.copyOfRange(out, t * D, (t + 1) * D)).as("token %d (last active layer %d)", t, last).isEqualTo(expected);
            if (last != layers - 1) replaced++;
        }
        assertThat(replaced).as("tokens whose last layer is void").isBetween(1, T - 1);
    }

    @Test
    void theMemoryAStepNeedsDoesNotGrowWithTheNumberOfLayers() {
        Run shallow = run(4, 1), deep = run(48, 2);
        for (int i = 0; i < 3; i++) { // classes loaded and the paths compiled before measuring
            step(readout(4), shallow, 4);
            step(readout(48), deep, 48);
        }
        long few = allocated(shallow, 4), many = allocated(deep, 48);
        long state = (long) T * D * Float.BYTES;
        // keeping every layer's output would need 44 more states of 32 KiB for the deeper model
        assertThat(many - few).as("bytes allocated by a 48-layer step beyond a 4-layer one (one state is %d)", state)
                .isLessThan(state / 2);
    }

    /** Bytes this thread allocates to bind a readout row and run one step through it (the least of 5 tries). */
    private static long allocated(Run r, int layers) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            step(readout(layers), r, layers);
            least = Math.min(least, mx.getCurrentThreadAllocatedBytes() - before);
        }
        return least;
    }
}
