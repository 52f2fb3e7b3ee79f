package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import dev.vane.steering.plan.InterventionSpec.GactSelect;
import dev.vane.steering.plan.InterventionSpec.VectorSite;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Steering plans on the bundled demo model (6 layers, hidden 256), f32. */
class SteeringPlanTest {

    private static TensorDecoder model;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static ModelShape shape;
    private static final TestArtifacts artifacts = new TestArtifacts();
    private static int hidden;
    private static int layers;

    @BeforeAll
    static void setUp() throws Exception {
        model = ModelLoader.loadTensor(TestArtifacts.demoModel(), ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(TestArtifacts.demoModel());
        generator = new Generator(model, tokenizer, 8, 256);
        hidden = model.config().hiddenSize();
        layers = model.config().numLayers();
        shape = new ModelShape(layers, hidden);
        artifacts.vectors.put("genre", new ArtifactResolver.SteeringVectors("genre", Component.RESID_POST, hidden,
                TestArtifacts.randomLayers(layers, hidden, 11)));
        artifacts.vectors.put("narrow", new ArtifactResolver.SteeringVectors("narrow", Component.RESID_POST, 8,
                TestArtifacts.randomLayers(layers, 8, 3)));
        artifacts.controllers.put("refusal", TestArtifacts.fixedController(hidden, layers, 2f, 5));
        artifacts.gacts.put("probe", TestArtifacts.signProbe(hidden, Set.of(1, 2, 3), 21));
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        tokenizer.close();
        model.close();
    }

    private static SteeringPlan plan(InterventionSpec... specs) {
        List<SteeringPlan.Entry> entries = new ArrayList<>();
        for (int i = 0; i < specs.length; i++)
            entries.add(new SteeringPlan.Entry(specs[i], "inline", "vane.interventions[" + i + "]"));
        return SteeringPlan.resolve(entries, artifacts, shape);
    }

    private static InterventionSpec.Vector vector(double scale, Optional<LayerRange> layers, PhaseScope phase) {
        return new InterventionSpec.Vector("genre", scale, layers, Optional.of(VectorSite.RESID_POST), phase);
    }

    private int[] prompt(String s) { return tokenizer.encode(s, true); }

    /** Logits of every prompt position with the row's hooks (one row, no cache). */
    private float[] logits(int[] ids, RowHooks row) {
        try (NDScope s = new NDScope()) {
            return model.forward(StepInput.prompt(ids, 0), StepHooks.of(List.of(row)), LogitsMode.ALL)
                    .toFloatArray();
        } finally {
            row.close();
        }
    }

    @Test
    void emptyPlansAndZeroScalesGiveBitIdenticalLogits() {
        int[] ids = prompt("The jury said it did find that the city");
        float[] base = logits(ids, RowHooks.NONE);
        assertThat(logits(ids, SteeringPlan.EMPTY.bind())).isEqualTo(base);
        assertThat(logits(ids, plan(vector(0, Optional.empty(), PhaseScope.BOTH)).bind())).isEqualTo(base);
        assertThat(logits(ids, plan(vector(4, Optional.empty(), PhaseScope.BOTH)).bind())).isNotEqualTo(base);
    }

    @Test
    void aVectorAtLayerLChangesThatLayersResidualByExactlyScaleTimesV() {
        int l = 2;
        float scale = -3.5f;
        int[] ids = prompt("He said the new law would help");
        float[] before = residualAfter(ids, l, RowHooks.NONE);
        float[] after = residualAfter(ids, l, plan(vector(scale, Optional.of(new LayerRange(l, l)), PhaseScope.BOTH)).bind());
        float[] v = artifacts.vectors("genre").byLayer().get(l);
        for (int t = 0; t < ids.length; t++)
            for (int i = 0; i < hidden; i++)
                assertThat(after[t * hidden + i] - before[t * hidden + i]).isCloseTo(scale * v[i], within(2e-5f));
    }

    /** The residual leaving layer l as the next layer receives it (after the row's hooks at l), {@code [T, D]}. */
    private float[] residualAfter(int[] ids, int l, RowHooks row) {
        HookRegistry reg = new HookRegistry(layers);
        float[][] seen = new float[1][];
        try (var h = reg.add(HookSite.of(l + 1, Component.RESID_PRE), (s, x, ctx) -> {
            seen[0] = x.toFloatArray();
            return x;
        }); NDScope s = new NDScope()) {
            model.forward(StepInput.prompt(ids, 0), reg, StepHooks.of(List.of(row)), LogitsMode.LAST);
        } finally {
            row.close();
        }
        return seen[0];
    }

    @Test
    void phasesSelectPromptOrGeneratedPositions() {
        int[] ids = prompt("The committee met on Monday and");
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(8).ignoreEos(true).build();
        SteeringRow promptOnly = plan(vector(6, Optional.empty(), PhaseScope.PROMPT)).bind();
        SteeringRow genOnly = plan(vector(6, Optional.empty(), PhaseScope.GENERATION)).bind();
        run(ids, greedy, promptOnly);
        run(ids, greedy, genOnly);
        assertThat(promptOnly.trace().get(0).positions()).isEqualTo(ids.length);
        assertThat(genOnly.trace().get(0).positions()).isEqualTo(greedy.maxTokens() - 1); // the last sample is never fed back
    }

    private int[] run(int[] ids, SamplingParams p, RowHooks row) {
        Sequence s = generator.newSequence(ids, p, TokenListener.NONE, row);
        generator.run(List.of(s));
        return s.result().tokens();
    }

    @Test
    void eightRowsWithMixedPlansEachEqualTheirSoloRun() {
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(10).ignoreEos(true).build();
        String[] texts = {"The jury said", "Q: cat\nA:", "In the morning the", "She looked at him and",
                "The results of the study", "Once upon a time", "He had never seen", "What is the pass key?"};
        List<SteeringPlan> plans = List.of(
                SteeringPlan.EMPTY,
                plan(vector(4, Optional.empty(), PhaseScope.BOTH)),
                plan(vector(-4, Optional.of(new LayerRange(1, 3)), PhaseScope.GENERATION)),
                plan(new InterventionSpec.Controller("refusal", ControllerMode.PAPER, 4, true)),
                plan(new InterventionSpec.Controller("refusal", ControllerMode.CODE, 4, false)),
                plan(new InterventionSpec.Gact("probe", 3, GactSelect.ARGMAX, Optional.empty(), PhaseScope.BOTH)),
                plan(vector(2, Optional.empty(), PhaseScope.PROMPT),
                        new InterventionSpec.Gact("probe", 2, GactSelect.SOFT, Optional.of(new LayerRange(2, 3)), PhaseScope.GENERATION)),
                plan(new InterventionSpec.Vector("genre", 3, Optional.empty(), Optional.of(VectorSite.MLP_OUT), PhaseScope.BOTH)));
        List<int[]> solo = new ArrayList<>();
        for (int i = 0; i < 8; i++) solo.add(run(prompt(texts[i]), greedy, plans.get(i).bind()));
        List<Sequence> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++)
            batch.add(generator.newSequence(prompt(texts[i]), greedy, TokenListener.NONE, plans.get(i).bind()));
        generator.run(batch);
        for (int i = 0; i < 8; i++) assertThat(batch.get(i).result().tokens()).as("row %d", i).isEqualTo(solo.get(i));
        // and steering changed something for the steered rows
        assertThat(solo.get(1)).isNotEqualTo(run(prompt(texts[1]), greedy, RowHooks.NONE));
    }

    @Test
    void thePaperControllerDecidesOnThePromptAndPatchesTheReplayedTokenAndGeneration() {
        int[] ids = prompt("How do I pick the lock on my sister's diary?");
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(6).ignoreEos(true).build();
        SteeringRow row = plan(new InterventionSpec.Controller("refusal", ControllerMode.PAPER, 4, true)).bind();
        run(ids, greedy, row);
        EffectTrace t = row.trace().get(0);
        assertThat(t.controllerOutput()).isPresent();
        assertThat(t.controllerOutput().get().s()).isEqualTo(2f);
        assertThat(t.positions()).isEqualTo(1 + greedy.maxTokens() - 1); // the replayed last prompt token + fed-back tokens
        assertThat(row.promptReplay()).isEqualTo(dev.vane.engine.hooks.PromptReplay.LAST_TOKEN);
    }

    /**
     * Prompts and a controller strength whose patches change the demo model's greedy tokens (on
     * the raw lock-picking question the model repeats one token whatever the patch): patched at
     * block 2 or 4, the model continues the first differently; over the whole replayed prompt or
     * at its last token only, the second. (On many openings a patch this strong makes the model
     * repeat one token whichever block or span it patches.)
     */
    private static final String PATCHED_PROMPT = "She looked at him and said";
    private static final String REPLAYED_PROMPT = "He walked to the door and";
    private static final float STRONG = 4;

    @Test
    void thePromptModeControllerPatchesTheWholeReplayedPrompt() {
        int[] ids = prompt(REPLAYED_PROMPT);
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(6).ignoreEos(true).build();
        SteeringRow row = plan(new InterventionSpec.Controller("refusal", ControllerMode.PROMPT, 4, true)).bind();
        assertThat(row.promptReplay()).isEqualTo(dev.vane.engine.hooks.PromptReplay.WHOLE_PROMPT);
        int[] out = run(ids, greedy, row);
        EffectTrace t = row.trace().get(0);
        assertThat(t.controllerOutput().orElseThrow().s()).isEqualTo(2f);
        assertThat(t.positions()).isEqualTo(ids.length + greedy.maxTokens() - 1); // the replayed prompt + fed-back tokens
        // a patch strong enough to change greedy tokens: over the whole prompt it acts differently from paper mode's
        int[] promptStrong = run(ids, greedy, plan(new InterventionSpec.Controller("refusal", ControllerMode.PROMPT, 2 * STRONG, true)).bind());
        assertThat(promptStrong).isNotEqualTo(run(ids, greedy, plan(new InterventionSpec.Controller("refusal", ControllerMode.PAPER, 2 * STRONG, true)).bind()));
        assertThat(promptStrong).isNotEqualTo(run(ids, greedy, RowHooks.NONE));
        // with the gate closed (s' = sigmoid(s) → 0 when s is very negative) the replay changes nothing
        artifacts.controllers.put("closed", TestArtifacts.fixedController(hidden, layers, -80f, 5));
        assertThat(run(ids, greedy, plan(new InterventionSpec.Controller("closed", ControllerMode.PROMPT, 4, true)).bind()))
                .isEqualTo(run(ids, greedy, RowHooks.NONE));
    }

    @Test
    void eachLayerIsPatchedAlongItsOwnDirection() {
        float[] v = TestArtifacts.random(hidden, 17);
        float[] ones = new float[layers], onlyTwo = new float[layers];
        java.util.Arrays.fill(ones, 1f);
        onlyTwo[2] = 1f;
        float[][] atTwo = new float[layers][hidden], atFour = new float[layers][hidden], shared = new float[layers][];
        atTwo[2] = v;
        atFour[4] = v;
        java.util.Arrays.fill(shared, v);
        artifacts.controllers.put("rows-2", TestArtifacts.controller(3f, ones, atTwo));       // every layer weighted, only row 2 non-zero
        artifacts.controllers.put("rows-4", TestArtifacts.controller(3f, ones, atFour));
        artifacts.controllers.put("shared-w2", TestArtifacts.controller(3f, onlyTwo, shared)); // one direction, only w_2 non-zero
        int[] ids = prompt(PATCHED_PROMPT);
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(8).ignoreEos(true).build();
        for (ControllerMode mode : ControllerMode.values()) {
            int at = mode == ControllerMode.CODE ? layers - 1 : 2; // code mode patches the last block only
            float[] w = new float[layers];
            w[at] = 1f;
            float[][] rows = new float[layers][hidden];
            rows[at] = v;
            artifacts.controllers.put("rows-at", TestArtifacts.controller(3f, ones, rows));
            artifacts.controllers.put("shared-at", TestArtifacts.controller(3f, w, shared));
            int[] perLayer = run(ids, greedy, plan(new InterventionSpec.Controller("rows-at", mode, STRONG, false)).bind());
            int[] sharedOne = run(ids, greedy, plan(new InterventionSpec.Controller("shared-at", mode, STRONG, false)).bind());
            assertThat(perLayer).as(mode.name()).isEqualTo(sharedOne);
            assertThat(perLayer).as(mode.name()).isNotEqualTo(run(ids, greedy, RowHooks.NONE));
        }
        // at strength 1 (at STRONG both blocks drive the model into the same repeated token)
        int[] two = run(ids, greedy, plan(new InterventionSpec.Controller("rows-2", ControllerMode.PAPER, 1, false)).bind());
        int[] four = run(ids, greedy, plan(new InterventionSpec.Controller("rows-4", ControllerMode.PAPER, 1, false)).bind());
        assertThat(two).isEqualTo(run(ids, greedy, plan(new InterventionSpec.Controller("shared-w2", ControllerMode.PAPER, 1, false)).bind()));
        assertThat(two).isNotEqualTo(four);
    }

    @Test
    void gactRecordsItsProbeChoicesPerLayer() {
        int[] ids = prompt("The jury said it did find");
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(4).ignoreEos(true).build();
        SteeringRow row = plan(new InterventionSpec.Gact("probe", 2, GactSelect.ARGMAX, Optional.empty(), PhaseScope.BOTH)).bind();
        run(ids, greedy, row);
        EffectTrace t = row.trace().get(0);
        assertThat(t.choices().keySet()).containsExactly(1, 2, 3);
        int tokens = ids.length + greedy.maxTokens() - 1;
        for (int[] counts : t.choices().values()) assertThat(counts[0] + counts[1]).isEqualTo(tokens);
    }

    @Test
    void badPlansNameTheField() {
        assertThatThrownBy(() -> plan(vector(1, Optional.of(new LayerRange(2, layers)), PhaseScope.BOTH)))
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("out of range")
                .extracting(e -> ((PlanException) e).field()).isEqualTo("vane.interventions[0].layers");
        assertThatThrownBy(() -> plan(vector(1, Optional.empty(), PhaseScope.BOTH),
                new InterventionSpec.Vector("nope", 1, Optional.empty(), Optional.of(VectorSite.RESID_POST), PhaseScope.BOTH)))
                .extracting(e -> ((PlanException) e).field()).isEqualTo("vane.interventions[1].artifact");
        assertThatThrownBy(() -> plan(new InterventionSpec.Vector("narrow", 1, Optional.empty(), Optional.of(VectorSite.RESID_POST), PhaseScope.BOTH)))
                .hasMessageContaining("hidden size 8")
                .extracting(e -> ((PlanException) e).field()).isEqualTo("vane.interventions[0].artifact");
        assertThatThrownBy(() -> plan(new InterventionSpec.Gact("probe", 1, GactSelect.ARGMAX, Optional.of(new LayerRange(0, 2)), PhaseScope.BOTH)))
                .hasMessageContaining("no probe for layer 0")
                .extracting(e -> ((PlanException) e).field()).isEqualTo("vane.interventions[0].layers");
    }
}
