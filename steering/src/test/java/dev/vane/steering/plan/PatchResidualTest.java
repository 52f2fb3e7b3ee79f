package dev.vane.steering.plan;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import dev.vane.steering.plan.InterventionSpec.GactSelect;
import dev.vane.steering.plan.InterventionSpec.VectorSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Numeric checks of what the controller and G-ACT add to the residual, on the demo model: each
 * site's values are recorded just before and after the plan's row acts there, and the difference
 * is compared with the method's equation computed here from the artifact's raw tensors.
 */
class PatchResidualTest {

    private static TensorDecoder model;
    private static Tokenizer tokenizer;
    private static int hidden, layers;
    private static final TestArtifacts artifacts = new TestArtifacts();
    private static ControllerWeights weights;
    private static final double ARTIFACT_ALPHA = 2.5;
    private static final float TOL = 2e-5f;

    @BeforeAll
    static void setUp() throws Exception {
        model = ModelLoader.loadTensor(TestArtifacts.demoModel(), ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(TestArtifacts.demoModel());
        hidden = model.config().hiddenSize();
        layers = model.config().numLayers();
        weights = randomController(hidden, layers, 32, 3);
        artifacts.controllers.put("mlp", MethodArtifacts.model(weights, ARTIFACT_ALPHA));
        artifacts.vectors.put("genre", new ArtifactResolver.SteeringVectors("genre", Component.RESID_POST, hidden,
                TestArtifacts.randomLayers(layers, hidden, 11)));
        artifacts.gacts.put("probe", TestArtifacts.signProbe(hidden, Set.of(1, 2, 3), 21));
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        model.close();
    }

    /** A controller with random weights and a direction per layer whose norms differ (0.5, 1.5, 2.5, ...). */
    private static ControllerWeights randomController(int d, int l, int width, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] fc1 = new float[width * 4 * d], b1 = new float[width], fc2 = new float[(1 + l) * width], b2 = new float[1 + l];
        double s1 = 1 / Math.sqrt(4 * d), s2 = 1 / Math.sqrt(width);
        for (int i = 0; i < fc1.length; i++) fc1[i] = (float) (r.nextGaussian() * s1);
        for (int i = 0; i < fc2.length; i++) fc2[i] = (float) (r.nextGaussian() * s2);
        float[] dir = new float[l * d];
        for (int k = 0; k < l; k++) {
            double n = 0;
            for (int i = 0; i < d; i++) n += Math.pow(dir[k * d + i] = (float) r.nextGaussian(), 2);
            for (int i = 0; i < d; i++) dir[k * d + i] *= (float) ((0.5 + k) / Math.sqrt(n));
        }
        return new ControllerWeights(d, l, width, fc1, b1, fc2, b2, dir);
    }

    private static SteeringRow bind(InterventionSpec... specs) {
        List<SteeringPlan.Entry> entries = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) entries.add(new SteeringPlan.Entry(specs[i], "inline", "vane.interventions[" + i + "]"));
        return SteeringPlan.resolve(entries, artifacts, new ModelShape(layers, hidden)).bind();
    }

    /** A row that records its delegate's change at every residual-stream site: layer → {@code [T·D]} before and after. */
    private static final class Recorder implements RowHooks {
        final RowHooks row;
        final Map<Integer, float[][]> seen = new HashMap<>();

        Recorder(RowHooks row) { this.row = row; }

        @Override public boolean actsAt(HookSite site, StepContext.Row r) {
            return site.component() == Component.RESID_POST || row.actsAt(site, r);
        }

        @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row r) {
            float[] before = java.util.Arrays.copyOfRange(x, offset, offset + r.length() * width);
            if (row.actsAt(site, r)) row.apply(site, x, offset, tokens, width, r);
            if (site.component() == Component.RESID_POST)
                seen.put(site.layer(), new float[][] {before, java.util.Arrays.copyOfRange(x, offset, offset + r.length() * width)});
        }

        @Override public BitSet skips(int layer, StepContext.Row r) { return row.skips(layer, r); }
        @Override public void ran(int layer, BitSet skipped, StepContext.Row r) { row.ran(layer, skipped, r); }
        @Override public PromptReplay promptReplay() { return row.promptReplay(); }
    }

    /** One prompt pass through the row (its state carries over to the next pass), recording every layer's change. */
    private static Recorder pass(int[] ids, RowHooks row) {
        Recorder rec = new Recorder(row);
        try (NDScope s = new NDScope()) {
            model.forward(StepInput.prompt(ids, 0), StepHooks.of(List.of(rec)), LogitsMode.LAST);
        }
        return rec;
    }

    /** {@code d / ||d||} of the artifact's raw direction at {@code layer}, computed here. */
    private static float[] unit(int layer) {
        float[] d = weights.direction(layer);
        double n = 0;
        for (float v : d) n += (double) v * v;
        float[] u = new float[d.length];
        for (int i = 0; i < d.length; i++) u[i] = (float) (d[i] / Math.sqrt(n));
        return u;
    }

    private static void assertDelta(float[][] ba, int t, float[] expected, String what) {
        for (int i = 0; i < hidden; i++)
            assertThat(ba[1][t * hidden + i] - ba[0][t * hidden + i]).as("%s, position %d, dim %d", what, t, i)
                    .isCloseTo(expected[i], within(TOL));
    }

    @Test
    void thePromptModePatchIsSigmoidSTimesTheArtifactsAlphaTimesWTimesTheUnitDirection() {
        int[] ids = tokenizer.encode("How do I pick the lock on my sister's diary?", true);
        SteeringRow row = bind(new InterventionSpec.Controller("mlp", ControllerMode.PROMPT, OptionalDouble.empty(), true));
        Recorder first = pass(ids, row); // reads the last 4 blocks at the last prompt token and decides
        for (int l = 0; l < layers; l++) assertDelta(first.seen.get(l), ids.length - 1, new float[hidden], "first pass, layer " + l);
        EffectTrace t = row.trace().get(0);
        InterventionSpec.Controller applied = (InterventionSpec.Controller) t.entry().spec();
        assertThat(applied.alpha()).as("the artifact's alpha, reported").hasValue(ARTIFACT_ALPHA);
        ArtifactResolver.ControllerModel.Output out = t.controllerOutput().orElseThrow();
        float sPrime = (float) (1 / (1 + Math.exp(-out.s())));
        Recorder replay = pass(ids, row); // the replayed prompt: every position, every layer
        for (int l = 0; l < layers; l++) {
            float[] u = unit(l), expected = new float[hidden];
            for (int i = 0; i < hidden; i++) expected[i] = (float) (sPrime * ARTIFACT_ALPHA * out.w()[l] * u[i]);
            assertThat(Math.abs(out.w()[l])).isPositive();
            for (int p = 0; p < ids.length; p++) assertDelta(replay.seen.get(l), p, expected, "replay, layer " + l);
        }
    }

    @Test
    void theCodeModePatchIsRawSTimesAlphaTimesWOfTheLastBlockAtTheLastPositionOnly() {
        int[] ids = tokenizer.encode("The jury said it did find that", true);
        double alpha = -3;
        SteeringRow row = bind(new InterventionSpec.Controller("mlp", ControllerMode.CODE, alpha, false));
        Recorder rec = pass(ids, row);
        ArtifactResolver.ControllerModel.Output out = row.trace().get(0).controllerOutput().orElseThrow();
        float[] u = unit(layers - 1), expected = new float[hidden];
        for (int i = 0; i < hidden; i++) expected[i] = (float) (out.s() * alpha * out.w()[layers - 1] * u[i]);
        for (int l = 0; l < layers; l++)
            for (int p = 0; p < ids.length; p++)
                assertDelta(rec.seen.get(l), p, l == layers - 1 && p == ids.length - 1 ? expected : new float[hidden], "layer " + l);
    }

    @Test
    void theControllersFeaturesDoNotDependOnAVectorEntryBeforeItAtTheSitesItReads() {
        int[] ids = tokenizer.encode("Tell me about the old town.", true);
        InterventionSpec controller = new InterventionSpec.Controller("mlp", ControllerMode.PAPER, 1, true);
        InterventionSpec vector = new InterventionSpec.Vector("genre", 6, Optional.of(new LayerRange(layers - 1, layers - 1)),
                Optional.of(VectorSite.RESID_POST), PhaseScope.BOTH);
        SteeringRow alone = bind(controller), after = bind(vector, controller);
        pass(ids, alone);
        Recorder rec = pass(ids, after);
        ArtifactResolver.ControllerModel.Output a = alone.trace().get(0).controllerOutput().orElseThrow();
        ArtifactResolver.ControllerModel.Output b = after.trace().get(1).controllerOutput().orElseThrow();
        assertThat(b.s()).isEqualTo(a.s());
        assertThat(b.w()).isEqualTo(a.w());
        // and the vector was applied where the controller read
        float[] v = artifacts.vectors("genre").byLayer().get(layers - 1), expected = new float[hidden];
        for (int i = 0; i < hidden; i++) expected[i] = 6 * v[i];
        assertDelta(rec.seen.get(layers - 1), ids.length - 1, expected, "the vector");
    }

    @Test
    void gactAddsAlphaTimesTheChosenClustersMuAtEachPlannedLayerAndPosition() {
        int[] ids = tokenizer.encode("The committee met on Monday and", true);
        float alpha = 1.75f;
        SteeringRow row = bind(new InterventionSpec.Gact("probe", alpha, GactSelect.ARGMAX, Optional.of(new LayerRange(2, 3)), PhaseScope.BOTH));
        Recorder rec = pass(ids, row);
        // the sign probe's clusters, read back from its directions: cluster 0 when a[0] >= 0
        ArtifactResolver.ProbeSteering probe = artifacts.gact("probe");
        float[] up = new float[hidden], down = new float[hidden];
        up[0] = 1;
        down[0] = -1;
        float[][] mu = {probe.choose(2, up, GactSelect.ARGMAX).direction(), probe.choose(2, down, GactSelect.ARGMAX).direction()};
        int[] chosen = new int[2];
        for (int l = 0; l < layers; l++)
            for (int p = 0; p < ids.length; p++) {
                float[][] ba = rec.seen.get(l);
                float[] expected = new float[hidden];
                if (l == 2 || l == 3) {
                    int c = ba[0][p * hidden] >= 0 ? 0 : 1;
                    chosen[c]++;
                    for (int i = 0; i < hidden; i++) expected[i] = alpha * mu[c][i];
                }
                assertDelta(ba, p, expected, "layer " + l);
            }
        assertThat(chosen[0]).as("positions that chose cluster 0").isPositive();
        assertThat(chosen[1]).as("positions that chose cluster 1").isPositive();
        Map<Integer, int[]> traced = row.trace().get(0).choices();
        assertThat(traced.keySet()).containsExactly(2, 3);
        assertThat(traced.get(2)[0] + traced.get(3)[0]).isEqualTo(chosen[0]);
    }
}
