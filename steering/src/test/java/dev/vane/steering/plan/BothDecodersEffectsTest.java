package dev.vane.steering.plan;

import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import dev.vane.steering.plan.InterventionSpec.GactSelect;
import dev.vane.steering.plan.InterventionSpec.SkipMode;
import dev.vane.steering.plan.InterventionSpec.VectorSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every effect is written once, on the decoders' arrays: the same plans on the Java decoder (f16
 * kernels) and on the tensor decoder (PyTorch in f32 over the same f16 weights, the site values copied into an
 * array) must give the same tokens, log-probabilities equal up to the decoders' summation order
 * and the same trace; and on the Java decoder a batch of rows with different plans equals the
 * solo runs.
 */
class BothDecodersEffectsTest {

    private static CausalLM model;
    private static TensorDecoder reference;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static Generator referenceGenerator;
    private static final TestArtifacts artifacts = new TestArtifacts();
    private static ModelShape shape;

    @BeforeAll
    static void setUp() {
        model = ModelLoader.load(TestArtifacts.demoModel(), LoadOptions.java(128, 1));
        reference = ModelLoader.loadTensor(TestArtifacts.demoModel(), ComputeDType.F32, 128); // the f16 weights, widened exactly
        tokenizer = Tokenizer.load(TestArtifacts.demoModel());
        generator = new Generator(model, tokenizer, 8, 128);
        referenceGenerator = new Generator(reference, tokenizer, 8, 128);
        int hidden = model.config().hiddenSize(), layers = model.config().numLayers();
        int heads = model.config().numHeads(), dh = model.config().headDim();
        shape = new ModelShape(layers, hidden);
        artifacts.vectors.put("genre", new ArtifactResolver.SteeringVectors("genre", Component.RESID_POST, hidden,
                TestArtifacts.randomLayers(layers, hidden, 11)));
        artifacts.controllers.put("refusal", TestArtifacts.fixedController(hidden, layers, 2f, 5));
        artifacts.gacts.put("probe", TestArtifacts.signProbe(hidden, Set.of(1, 2, 3), 21));
        SplittableRandom r = new SplittableRandom(9);
        float[] alpha = new float[layers * heads];
        for (int i = 0; i < alpha.length; i++) alpha[i] = r.nextInt(3) == 0 ? (float) r.nextDouble() : 0f;
        artifacts.tasks.put("upper", new ArtifactResolver.TaskEmbedding("upper", layers, heads, dh,
                TestArtifacts.random(layers * heads * dh, 4), alpha));
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        referenceGenerator.close();
        tokenizer.close();
        model.close();
        reference.close();
    }

    static Stream<String> plans() {
        return Stream.of("vector", "vector-mlp-prompt", "controller-paper", "controller-prompt", "controller-code", "gact-argmax", "gact-soft",
                "task", "task+vector+gact", "lac-trace", "lac-readout", "lac-exit", "lac-skip-set", "lac-exit+vector");
    }

    private static InterventionSpec lac(SkipMode mode) {
        return new InterventionSpec.LayerSkip(mode, 0.9, 0.5, PhaseScope.BOTH);
    }

    private static SteeringPlan plan(String name) {
        InterventionSpec vector = new InterventionSpec.Vector("genre", 4, Optional.empty(), Optional.empty(), PhaseScope.BOTH);
        InterventionSpec gact = new InterventionSpec.Gact("probe", 3, GactSelect.ARGMAX, Optional.empty(), PhaseScope.BOTH);
        List<InterventionSpec> specs = switch (name) {
            case "vector" -> List.of(vector);
            case "vector-mlp-prompt" -> List.of(new InterventionSpec.Vector("genre", -3, Optional.of(new LayerRange(1, 4)),
                    Optional.of(VectorSite.MLP_OUT), PhaseScope.PROMPT));
            case "controller-paper" -> List.of(new InterventionSpec.Controller("refusal", ControllerMode.PAPER, 4, true));
            case "controller-prompt" -> List.of(new InterventionSpec.Controller("refusal", ControllerMode.PROMPT, 4, true));
            case "controller-code" -> List.of(new InterventionSpec.Controller("refusal", ControllerMode.CODE, 4, false));
            case "gact-argmax" -> List.of(gact);
            case "gact-soft" -> List.of(new InterventionSpec.Gact("probe", 2, GactSelect.SOFT, Optional.of(new LayerRange(2, 3)),
                    PhaseScope.GENERATION));
            case "task" -> List.of(new InterventionSpec.Task("upper"));
            case "task+vector+gact" -> List.of(new InterventionSpec.Task("upper"), vector, gact);
            case "lac-trace" -> List.of(lac(SkipMode.TRACE));
            case "lac-readout" -> List.of(lac(SkipMode.READOUT));
            case "lac-exit" -> List.of(lac(SkipMode.EXIT));
            case "lac-skip-set" -> List.of(lac(SkipMode.SKIP_SET));
            case "lac-exit+vector" -> List.of(vector, lac(SkipMode.EXIT));
            default -> throw new IllegalArgumentException(name);
        };
        List<SteeringPlan.Entry> entries = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) entries.add(new SteeringPlan.Entry(specs.get(i), "inline", "vane.interventions[" + i + "]"));
        return SteeringPlan.resolve(entries, artifacts, shape);
    }

    /** Counts the calls of a row's hooks. */
    private static final class Counting implements RowHooks {
        final RowHooks row;
        int calls;
        Counting(RowHooks row) { this.row = row; }
        @Override public boolean actsAt(HookSite site, StepContext.Row r) { return row.actsAt(site, r); }
        @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row r) {
            calls++;
            row.apply(site, x, offset, tokens, width, r);
        }
        @Override public java.util.BitSet skips(int layer, StepContext.Row r) { return row.skips(layer, r); }
        @Override public dev.vane.engine.hooks.PromptReplay promptReplay() { return row.promptReplay(); }
        @Override public void close() { row.close(); }
    }

    private static final SamplingParams GREEDY = SamplingParams.builder().temperature(0).maxTokens(8).ignoreEos(true)
            .logprobs(3).build();

    private static Sequence sequence(String text, RowHooks hooks) {
        return sequence(generator, text, hooks);
    }

    private static Sequence sequence(Generator g, String text, RowHooks hooks) {
        return g.newSequence(tokenizer.encode(text, true), GREEDY, TokenListener.NONE, hooks);
    }

    private static String traceOf(SteeringRow row) {
        return row.trace().stream().map(t -> t.positions() + ":" + t.choices().entrySet().stream()
                .map(e -> e.getKey() + "=" + java.util.Arrays.toString(e.getValue())).toList()
                + ":" + t.controllerOutput().map(o -> o.s() + java.util.Arrays.toString(o.w())).orElse("")).toList().toString();
    }

    @ParameterizedTest
    @MethodSource("plans")
    void bothDecodersGiveTheSameSteeredGeneration(String name) {
        String[] texts = {"The jury said it did find that", "Q: cat\nA: CAT\n\nQ: dog\nA:", "She looked at him and"};
        SteeringPlan plan = plan(name);
        for (String text : texts) {
            SteeringRow java = plan.bind(), tensor = plan.bind();
            Counting counted = new Counting(java);
            Sequence a = sequence(text, counted), b = sequence(referenceGenerator, text, tensor);
            generator.run(List.of(a));
            referenceGenerator.run(List.of(b));
            assertThat(counted.calls).as(name + " hook calls").isPositive();
            assertThat(a.result().tokens()).as(name + " tokens").isEqualTo(b.result().tokens());
            assertThat(a.result().logprobs()).as(name + " logprobs").hasSameSizeAs(b.result().logprobs());
            for (int i = 0; i < a.result().logprobs().size(); i++)
                assertThat(a.result().logprobs().get(i).chosen().logprob()).as(name + " logprob " + i)
                        .isCloseTo(b.result().logprobs().get(i).chosen().logprob(), org.assertj.core.api.Assertions.within(2e-2f));
            assertThat(traceOf(java)).as(name + " trace").isEqualTo(traceOf(tensor));
            assertThat(java.trace().get(0).positions()).as(name + " acted").isPositive();
        }
        // steering changed the generation of at least one text (the effect is not a no-op;
        // whether LAC finds a void layer depends on the text), tracing changed none
        int changed = 0;
        for (String text : texts) {
            Sequence steered = sequence(text, plan.bind()), plain = sequence(text, RowHooks.NONE);
            generator.run(List.of(steered));
            generator.run(List.of(plain));
            if (!steered.result().logprobs().equals(plain.result().logprobs())) changed++;
        }
        if (name.equals("lac-trace")) assertThat(changed).as(name + ": only reads").isZero();
        else assertThat(changed).as(name + ": texts whose generation changed").isPositive();
    }

    @ParameterizedTest
    @MethodSource("plans")
    void aBatchOfSteeredAndPlainRowsEqualsTheSoloRuns(String name) {
        String[] texts = {"The jury said it did find that", "Q: cat\nA:", "Once upon a time", "He had never seen"};
        SteeringPlan plan = plan(name);
        List<Sequence> solo = new ArrayList<>(), batch = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            Sequence s = sequence(texts[i], plan.bind());
            generator.run(List.of(s));
            solo.add(s);
            RowHooks h = i % 3 == 2 ? RowHooks.NONE : plan.bind();
            batch.add(sequence(texts[i], h));
        }
        generator.run(batch);
        for (int i = 0; i < texts.length; i++) {
            if (i % 3 == 2) continue; // unsteered row
            assertThat(batch.get(i).result().tokens()).as("row %d", i).isEqualTo(solo.get(i).result().tokens());
            assertThat(batch.get(i).result().logprobs()).as("row %d", i).isEqualTo(solo.get(i).result().logprobs());
        }
    }
}
