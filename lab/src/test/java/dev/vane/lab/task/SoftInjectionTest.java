package dev.vane.lab.task;


import ai.djl.ndarray.NDScope;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.steering.TinyModels;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PlanException;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Method 4's injection on the engine's tiny Llama (2 layers, 4 heads of 16), f32. */
class SoftInjectionTest {

    private static TensorDecoder model;
    private static NDManager manager;
    private static int layers, heads, headDim;
    private static final Map<String, ArtifactResolver.TaskEmbedding> TASKS = new HashMap<>();
    private static final ArtifactResolver RESOLVER = new ArtifactResolver() {
        @Override public SteeringVectors vectors(String name) { throw new PlanException("artifact", "none"); }
        @Override public ControllerModel controller(String name) { throw new PlanException("artifact", "none"); }
        @Override public ProbeSteering gact(String name) { throw new PlanException("artifact", "none"); }
        @Override public TaskEmbedding taskEmbedding(String name) {
            TaskEmbedding t = TASKS.get(name);
            if (t == null) throw new PlanException("artifact", "no task-embedding artifact named '" + name + "'");
            return t;
        }
    };

    @BeforeAll
    static void load() {
        model = ModelLoader.loadTensor(TinyModels.tinyLlama(5), ComputeDType.F32, 64);
        manager = NDManager.newBaseManager();
        layers = model.config().numLayers();
        heads = model.config().numHeads();
        headDim = model.config().headDim();
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    static int[] ids(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 2 + r.nextInt(500);
        return t;
    }

    static float[] random(int n, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * (r.nextDouble() * 2 - 1));
        return v;
    }

    private static SteeringRow row(String name, float[] embedding, float[] alpha) {
        TASKS.put(name, new ArtifactResolver.TaskEmbedding(name, layers, heads, headDim, embedding, alpha));
        SteeringPlan plan = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.Task(name), "inline",
                "vane.interventions[0]")), RESOLVER, ModelShape.of(model.config()));
        return plan.bind();
    }

    private static float[] logits(int[] ids, StepHooks hooks, LogitsMode mode) {
        try (NDScope s = new NDScope()) {
            return model.forward(StepInput.prompt(ids, 0), hooks, mode).toFloatArray();
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void alphaZeroGivesTheBaselineLogitsExactly() {
        int[] prompt = ids(9, 1);
        float[] base = logits(prompt, StepHooks.NONE, LogitsMode.ALL);
        try (SteeringRow r = row("zero", random(layers * heads * headDim, 3, 2), new float[layers * heads])) {
            float[] steered = logits(prompt, StepHooks.of(List.of(r)), LogitsMode.ALL);
            assertThat(steered).containsExactly(base);
            assertThat(r.trace().get(0).positions()).isEqualTo(1);
        }
    }

    @Test
    void alphaOneWithTheRowsOwnHeadOutputsGivesTheBaselineLogits() {
        int[] prompt = ids(11, 3);
        float[] base = logits(prompt, StepHooks.NONE, LogitsMode.ALL);
        float[] own = HeadMeans.lastToken(model, List.of(prompt), 1, HarvestProgress.NONE); // [L, H, Dh]
        try (SteeringRow r = row("own", own, filled(layers * heads, 1f))) {
            assertThat(logits(prompt, StepHooks.of(List.of(r)), LogitsMode.ALL)).containsExactly(base);
        }
        // the same α with another ē changes the last position only (the test can fail)
        try (SteeringRow r = row("other", random(own.length, 3, 4), filled(layers * heads, 1f))) {
            float[] steered = logits(prompt, StepHooks.of(List.of(r)), LogitsMode.ALL);
            int v = model.config().vocabSize(), last = (prompt.length - 1) * v;
            assertThat(Arrays.copyOf(steered, last)).containsExactly(Arrays.copyOf(base, last));
            assertThat(Arrays.copyOfRange(steered, last, last + v)).isNotEqualTo(Arrays.copyOfRange(base, last, last + v));
        }
    }

    @Test
    void rowsOfABatchInjectAtTheirOwnLastPromptToken() {
        int[][] prompts = {ids(5, 10), ids(12, 11), ids(8, 12)};
        int n = layers * heads * headDim;
        List<RowHooks> rows = List.of(row("a", random(n, 3, 20), sigmoids(random(layers * heads, 2, 22))),
                RowHooks.NONE,
                row("c", random(n, 3, 23), sigmoids(random(layers * heads, 2, 24))));
        int v = model.config().vocabSize();
        float[] batched;
        try (NDScope s = new NDScope()) {
            StepInput in = HeadMeans.promptBatch(List.of(prompts));
            batched = model.forward(in, StepHooks.of(rows), LogitsMode.LAST).toFloatArray(); // [3, V]
        }
        for (int b = 0; b < prompts.length; b++) {
            float[] solo = logits(prompts[b], StepHooks.of(List.of(rows.get(b))), LogitsMode.LAST);
            float[] inBatch = Arrays.copyOfRange(batched, b * v, (b + 1) * v);
            for (int i = 0; i < v; i++) assertThat(inBatch[i]).as("row %d logit %d", b, i).isCloseTo(solo[i], within(1e-4f));
            if (rows.get(b) != RowHooks.NONE)
                assertThat(maxDiff(solo, logits(prompts[b], StepHooks.NONE, LogitsMode.LAST))).as("row %d is steered", b)
                        .isGreaterThan(1e-3f);
        }
        rows.forEach(RowHooks::close);
    }

    @Test
    void onlyThePrefillStepHoldingTheLastPromptTokenIsTouched() {
        try (SteeringRow r = row("phase", random(layers * heads * headDim, 1, 30), filled(layers * heads, 0.5f))) {
            HookSite heads0 = HookSite.of(0, Component.ATTN_HEADS);
            assertThat(r.actsAt(heads0, new StepContext.Row(0, 7, Phase.PROMPT, true))).isTrue();
            assertThat(r.actsAt(heads0, new StepContext.Row(0, 7, Phase.PROMPT, false))).as("an earlier chunk").isFalse();
            assertThat(r.actsAt(heads0, new StepContext.Row(7, 1, Phase.GENERATION, false))).as("decode").isFalse();
            assertThat(r.actsAt(HookSite.of(0, Component.RESID_POST), new StepContext.Row(0, 7, Phase.PROMPT, true))).isFalse();
        }
    }

    @Test
    void aTaskEmbeddingForAnotherLayerCountOrHeadGeometryIsRefusedNamingTheField() {
        TASKS.put("short", new ArtifactResolver.TaskEmbedding("short", 1, heads, headDim, new float[heads * headDim],
                new float[heads]));
        assertThatThrownBy(() -> SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.Task("short"),
                "inline", "vane.interventions[0]")), RESOLVER, new ModelShape(layers, model.config().hiddenSize())))
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("1 layers, the model has " + layers)
                .extracting(e -> ((PlanException) e).field()).isEqualTo("vane.interventions[0].artifact");
        TASKS.put("wide", new ArtifactResolver.TaskEmbedding("wide", layers, heads * 2, headDim / 2,
                new float[layers * heads * headDim], new float[layers * heads * 2]));
        assertThatThrownBy(() -> SteeringPlan.resolve(List.of(new SteeringPlan.Entry(new InterventionSpec.Task("wide"),
                "inline", "vane.interventions[0]")), RESOLVER, ModelShape.of(model.config())))
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("has " + heads * 2 + " heads of " + headDim / 2 + ", the model has " + heads + " of " + headDim);
    }

    static float[] sigmoids(float[] logits) {
        float[] a = new float[logits.length];
        for (int i = 0; i < a.length; i++) a[i] = (float) (1 / (1 + Math.exp(-logits[i])));
        return a;
    }

    private static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static org.assertj.core.data.Offset<Float> within(float f) {
        return org.assertj.core.data.Offset.offset(f);
    }
}
