package dev.vane.steering.plan;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import ai.djl.ndarray.NDArray;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.lac.LacRule;
import dev.vane.steering.plan.InterventionSpec.SkipMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** LAC trace and readout on the demo model. */
class LayerSkipTest {

    private static TensorDecoder model;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static int layers;

    @BeforeAll
    static void setUp() throws Exception {
        model = ModelLoader.loadTensor(TestArtifacts.demoModel(), ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(TestArtifacts.demoModel());
        generator = new Generator(model, tokenizer, 8, 256);
        layers = model.config().numLayers();
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        tokenizer.close();
        model.close();
    }

    private static SteeringRow row(SkipMode mode, double alpha) {
        return SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.LayerSkip(mode, alpha, 0.5, PhaseScope.BOTH),
                "inline", "vane.layer_skip")), new TestArtifacts(), new ModelShape(layers, model.config().hiddenSize())).bind();
    }

    /** Logits of every prompt position, and the residual norms entering layer 0 and leaving each layer {@code [L+1][T]}. */
    private float[] logits(int[] ids, RowHooks row, double[][] norms) {
        HookRegistry reg = new HookRegistry(layers);
        List<HookRegistry.HookHandle> handles = new ArrayList<>();
        handles.add(reg.add(HookSite.of(0, Component.RESID_PRE), (s, x, c) -> {
            float[] n = x.norm(new int[] {-1}).toFloatArray();
            for (int t = 0; t < n.length; t++) norms[0][t] = n[t];
            return x;
        }));
        for (int l = 0; l < layers; l++) {
            int ll = l;
            handles.add(reg.add(HookSite.of(l, Component.RESID_POST), (s, x, c) -> {
                float[] n = x.norm(new int[] {-1}).toFloatArray();
                for (int t = 0; t < n.length; t++) norms[ll + 1][t] = n[t];
                return x;
            }));
        }
        try (NDScope s = new NDScope()) {
            return model.forward(StepInput.prompt(ids, 0), reg, StepHooks.of(List.of(row)), LogitsMode.ALL).toFloatArray();
        } finally {
            handles.forEach(HookRegistry.HookHandle::close);
        }
    }

    @Test
    void traceRecordsTheRuleForEveryTokenAndChangesNothing() {
        int[] ids = tokenizer.encode("The jury said it did find that the city", true);
        double[][] norms = new double[layers + 1][ids.length];
        float[] base = logits(ids, RowHooks.NONE, new double[layers + 1][ids.length]);
        SteeringRow row = row(SkipMode.TRACE, 0.8);
        float[] traced = logits(ids, row, norms);
        assertThat(traced).isEqualTo(base);
        EffectTrace t = row.trace().get(0);
        assertThat(t.tokenLayers()).hasSize(ids.length);
        for (int p = 0; p < ids.length; p++) {
            double[] n = new double[layers + 1];
            for (int l = 0; l <= layers; l++) n[l] = norms[l][p];
            boolean[] expected = LacRule.active(n, 0.8);
            BitSet got = t.tokenLayers().get(p);
            for (int l = 0; l < layers; l++) assertThat(got.get(l)).as("token %d layer %d", p, l).isEqualTo(expected[l]);
        }
        assertThat(t.layerUsage(Phase.PROMPT)).isPresent();
        assertThat(t.layersSkipped(Phase.PROMPT)).isZero();
    }

    @Test
    void readoutWithEveryLayerActiveIsTheBaselineBitForBit() {
        // logits of a position depend only on that position's final hidden state, so each token whose
        // last layer is active must keep its baseline logits bit for bit, and the others must not
        int[] ids = tokenizer.encode("Once upon a time there was", true);
        float[] base = logits(ids, RowHooks.NONE, new double[layers + 1][ids.length]);
        SteeringRow readout = row(SkipMode.READOUT, 0.0);
        float[] read = logits(ids, readout, new double[layers + 1][ids.length]);
        int v = model.config().vocabSize();
        for (int p = 0; p < ids.length; p++) {
            float[] a = java.util.Arrays.copyOfRange(base, p * v, (p + 1) * v), b = java.util.Arrays.copyOfRange(read, p * v, (p + 1) * v);
            if (readout.trace().get(0).tokenLayers().get(p).get(layers - 1)) assertThat(b).as("token %d", p).isEqualTo(a);
            else assertThat(b).as("token %d reads an earlier layer", p).isNotEqualTo(a);
        }
    }

    @Test
    void readoutFeedsTheFinalNormTheLastActiveLayersOutput() {
        int[] ids = tokenizer.encode("The jury said it did find that the city", true);
        // with alpha = 1 the rule is strict, so some tokens end on an earlier layer
        SteeringRow readout = row(SkipMode.READOUT, 1.0);
        HookRegistry reg = new HookRegistry(layers);
        float[][] outputs = new float[layers + 1][];
        float[][] finalInput = new float[1][];
        List<HookRegistry.HookHandle> hs = new ArrayList<>();
        hs.add(reg.add(HookSite.of(0, Component.RESID_PRE), (s, x, c) -> { outputs[0] = x.toFloatArray(); return x; }));
        for (int l = 0; l < layers; l++) {
            int ll = l;
            hs.add(reg.add(HookSite.of(l, Component.RESID_POST), (s, x, c) -> { outputs[ll + 1] = x.toFloatArray(); return x; }));
        }
        // LOGITS is after the final norm; capture what the last RESID_POST hands on by a second registry pass
        RowHooks capture = new RowHooks() {
            @Override public boolean actsAt(HookSite site, dev.vane.engine.hooks.StepContext.Row r) {
                return site.equals(HookSite.of(layers - 1, Component.RESID_POST));
            }
            @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width,
                                        dev.vane.engine.hooks.StepContext.Row r) {
                finalInput[0] = java.util.Arrays.copyOfRange(x, offset, offset + tokens * width);
            }
        };
        RowHooks both = new RowHooks() {
            @Override public boolean actsAt(HookSite site, dev.vane.engine.hooks.StepContext.Row r) {
                return readout.actsAt(site, r) || capture.actsAt(site, r);
            }
            @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width,
                                        dev.vane.engine.hooks.StepContext.Row r) {
                if (readout.actsAt(site, r)) readout.apply(site, x, offset, tokens, width, r);
                if (capture.actsAt(site, r)) capture.apply(site, x, offset, tokens, width, r);
            }
        };
        try (NDScope s = new NDScope()) {
            model.forward(StepInput.prompt(ids, 0), reg, StepHooks.of(List.of(both)), LogitsMode.LAST);
        } finally {
            hs.forEach(HookRegistry.HookHandle::close);
        }
        int d = model.config().hiddenSize();
        boolean someEarlier = false;
        for (int p = 0; p < ids.length; p++) {
            BitSet act = readout.trace().get(0).tokenLayers().get(p);
            int src = act.previousSetBit(layers - 1) + 1;
            someEarlier |= src != layers;
            for (int i = 0; i < d; i++)
                assertThat(finalInput[0][p * d + i]).isCloseTo(outputs[src][p * d + i], within(0f));
        }
        assertThat(someEarlier).as("alpha 1 leaves some token on an earlier layer").isTrue();
    }

    @Test
    void rowsOfABatchDecideIndependently() {
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(6).ignoreEos(true).build();
        String[] texts = {"The jury said", "Q: cat\nA:", "Once upon a time", "He had never seen"};
        List<List<BitSet>> solo = new ArrayList<>();
        List<int[]> soloTokens = new ArrayList<>();
        for (String s : texts) {
            SteeringRow r = row(SkipMode.READOUT, 0.8);
            Sequence q = generator.newSequence(tokenizer.encode(s, true), greedy, TokenListener.NONE, r);
            generator.run(List.of(q));
            solo.add(r.trace().get(0).tokenLayers());
            soloTokens.add(q.result().tokens());
        }
        List<SteeringRow> rows = new ArrayList<>();
        List<Sequence> batch = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            SteeringRow r = i == 2 ? null : row(SkipMode.READOUT, 0.8);
            rows.add(r);
            batch.add(generator.newSequence(tokenizer.encode(texts[i], true), greedy, TokenListener.NONE, r == null ? RowHooks.NONE : r));
        }
        generator.run(batch);
        for (int i = 0; i < texts.length; i++) {
            if (rows.get(i) == null) continue;
            assertThat(rows.get(i).trace().get(0).tokenLayers()).as("row %d", i).isEqualTo(solo.get(i));
            assertThat(batch.get(i).result().tokens()).isEqualTo(soloTokens.get(i));
        }
    }

    private static SteeringRow row(SkipMode mode, double alpha, double q, PhaseScope phase) {
        return SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.LayerSkip(mode, alpha, q, phase),
                "inline", "vane.layer_skip")), new TestArtifacts(), new ModelShape(layers, model.config().hiddenSize())).bind();
    }

    private int[] generate(String text, RowHooks row, int tokens) {
        Sequence q = generator.newSequence(tokenizer.encode(text, true),
                SamplingParams.builder().temperature(0).maxTokens(tokens).ignoreEos(true).logprobs(1).build(), TokenListener.NONE, row);
        generator.run(List.of(q));
        return q.result().tokens();
    }

    /**
     * The reference for exit: every layer runs, but from a token's exit layer on its residual is
     * put back to what entered that layer, so deeper layers' keys and values are computed from the
     * exit state by the ordinary attention path.
     */
    private static final class FreezeFrom implements RowHooks {
        final List<Integer> exitLayers; // per generation step
        int stepIndex = -1;
        float[] frozen;

        FreezeFrom(List<Integer> exitLayers) { this.exitLayers = exitLayers; }

        @Override public boolean actsAt(HookSite site, dev.vane.engine.hooks.StepContext.Row row) {
            return row.phase() == Phase.GENERATION
                    && (site.component() == Component.RESID_PRE || site.component() == Component.RESID_POST);
        }

        @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width,
                                    dev.vane.engine.hooks.StepContext.Row row) {
            if (site.component() == Component.RESID_PRE && site.layer() == 0) {
                stepIndex++;
                frozen = null;
            }
            int e = exitLayers.get(stepIndex);
            if (site.component() == Component.RESID_PRE && site.layer() == e)
                frozen = java.util.Arrays.copyOfRange(x, offset, offset + tokens * width);
            if (site.component() == Component.RESID_POST && site.layer() >= e) System.arraycopy(frozen, 0, x, offset, frozen.length);
        }
    }

    @Test
    void exitSkipsTheLayersAfterTheFirstVoidOneAndTheNextTokensSeeTheProjectedKeysAndValues() {
        String text = "The jury said it did find that the city";
        SteeringRow exit = row(SkipMode.EXIT, 0.9, 0.5, PhaseScope.GENERATION);
        int gen = 10;
        int[] tokens = generate(text, exit, gen);
        EffectTrace t = exit.trace().get(0);
        assertThat(t.tokenLayers()).hasSize(gen - 1);
        List<Integer> exits = new ArrayList<>();
        long skipped = 0;
        for (BitSet active : t.tokenLayers()) {
            int e = active.nextClearBit(0); // active layers are exactly those before the exit layer
            assertThat(active.cardinality()).isEqualTo(Math.min(e, layers));
            exits.add(e);
            if (e < layers) skipped += layers - 1 - e;
        }
        assertThat(skipped).as("alpha 0.9 makes some token exit early").isGreaterThan(0);
        assertThat(t.layersSkipped(Phase.GENERATION)).isEqualTo(skipped);
        assertThat(generate(text, new FreezeFrom(exits), gen)).isEqualTo(tokens);
    }

    @Test
    void exitRowsOfAMixedBatchEqualTheirSoloRuns() {
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(6).ignoreEos(true).build();
        String[] texts = {"The jury said", "Q: cat\nA:", "Once upon a time", "He had never seen"};
        List<int[]> solo = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) solo.add(generate(texts[i], i % 2 == 0 ? row(SkipMode.EXIT, 0.8, 0.5, PhaseScope.BOTH)
                : RowHooks.NONE, 6));
        List<Sequence> batch = new ArrayList<>();
        for (int i = 0; i < texts.length; i++)
            batch.add(generator.newSequence(tokenizer.encode(texts[i], true), greedy, TokenListener.NONE,
                    i % 2 == 0 ? row(SkipMode.EXIT, 0.8, 0.5, PhaseScope.BOTH) : RowHooks.NONE));
        generator.run(batch);
        for (int i = 0; i < texts.length; i++) assertThat(batch.get(i).result().tokens()).as("row %d", i).isEqualTo(solo.get(i));
    }

    @Test
    void skipSetSkipsTheLayersVoidForEnoughPromptTokensAndAnEmptySetIsTheBaseline() {
        String text = "The jury said it did find that the city";
        SteeringRow set = row(SkipMode.SKIP_SET, 0.8, 0.3, PhaseScope.BOTH);
        int[] tokens = generate(text, set, 8);
        EffectTrace t = set.trace().get(0);
        BitSet s = t.skipSet().orElseThrow();
        // the set follows the prompt's per-token decisions
        List<BitSet> prompt = t.tokenLayers().subList(0, tokenizer.encode(text, true).length);
        for (int l = 0; l < layers; l++) {
            int voids = 0;
            for (BitSet a : prompt) if (!a.get(l)) voids++;
            assertThat(s.get(l)).as("layer %d", l).isEqualTo(voids >= 0.3 * prompt.size());
        }
        assertThat(t.layersSkipped(Phase.GENERATION)).isEqualTo((long) s.cardinality() * 7);
        if (!s.isEmpty()) assertThat(tokens).isNotEqualTo(generate(text, RowHooks.NONE, 8));
        // q = 1 with alpha = 0: a layer is skipped only if every prompt token's norm shrank there
        boolean foundEmpty = false;
        for (String p : new String[] {"Once upon a time", "The results of the study", "She looked at him and", text}) {
            SteeringRow r = row(SkipMode.SKIP_SET, 0.0, 1.0, PhaseScope.BOTH);
            int[] got = generate(p, r, 6);
            if (r.trace().get(0).skipSet().orElseThrow().isEmpty()) {
                foundEmpty = true;
                assertThat(got).isEqualTo(generate(p, RowHooks.NONE, 6));
                assertThat(r.trace().get(0).layersSkipped(Phase.GENERATION)).isZero();
            }
        }
        assertThat(foundEmpty).as("some prompt gives an empty skip set").isTrue();
    }

    @Test
    void parametersAreValidated() {
        assertThatThrownBy(() -> new InterventionSpec.LayerSkip(SkipMode.TRACE, 1.2, 0.5, PhaseScope.BOTH)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new InterventionSpec.LayerSkip(SkipMode.TRACE, 0.8, 0, PhaseScope.BOTH)).hasMessageContaining("q");
        assertThatThrownBy(() -> new InterventionSpec.LayerSkip(SkipMode.TRACE, 0.8, 1.5, PhaseScope.BOTH)).hasMessageContaining("q");
        assertThatThrownBy(() -> InterventionSpec.SkipMode.parse("skip")).isInstanceOf(PlanException.class).hasMessageContaining("skip-set");
    }
}
