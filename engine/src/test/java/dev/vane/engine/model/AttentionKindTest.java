package dev.vane.engine.model;

import ai.djl.ndarray.NDScope;
import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;
import dev.vane.attention.LengthScale;
import dev.vane.attention.SoftmaxAlgorithm;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Models of every attention kind through both decoders: the kind round-trips through
 * {@code config.json}, prefill equals token-by-token decode, and a checkpoint refuses a kernel it
 * was not trained with unless forced.
 */
class AttentionKindTest {

    private static final int[] PROMPT = {1, 17, 250, 3, 99, 411, 7, 64, 300, 12, 5, 480, 33, 2, 71, 150, 8, 9, 10, 11};

    record Case(AttentionKind kind, AttentionOptions options) {
        @Override
        public String toString() { return kind.id() + " " + options.algorithm().id() + " " + options.length(); }
    }

    static List<Case> cases() {
        return List.of(
                new Case(AttentionKind.SOFTMAX, AttentionOptions.DEFAULT),
                new Case(AttentionKind.SOFTMAX, new AttentionOptions(SoftmaxAlgorithm.ONLINE, LengthScale.NONE)),
                new Case(AttentionKind.SOFTMAX, new AttentionOptions(SoftmaxAlgorithm.TWO_PASS, LengthScale.NONE)),
                new Case(AttentionKind.SOFTMAX, new AttentionOptions(SoftmaxAlgorithm.ONLINE, new LengthScale.LogN(4))),
                new Case(new AttentionKind.Softplus(8, 1), AttentionOptions.DEFAULT),
                new Case(new AttentionKind.Softplus(8, 2.5), AttentionOptions.DEFAULT),
                new Case(AttentionKind.Sigmoid.forLength(8), AttentionOptions.DEFAULT));
    }

    private static Path write(AttentionKind kind, Path dir) throws Exception {
        return FixtureWriter.write(Preset.TINY_LLAMA.config().withAttention(kind), FileDType.F32, 5, dir);
    }

    /** Logits of every prompt position from one prefill step, then from the same prompt one token per step. */
    private static float[][] prefillAndStepwise(CausalLM model) {
        int v = model.config().vocabSize();
        float[] all, stepwise = new float[PROMPT.length * v];
        try (KvCache a = model.newCache(1, 64); KvCache b = model.newCache(1, 64); NDScope scope = new NDScope()) {
            all = model.forwardLogits(StepInput.prompt(PROMPT, 0), a, StepHooks.NONE, LogitsMode.ALL);
            for (int t = 0; t < PROMPT.length; t++) {
                StepInput one = new StepInput(new int[][] {{PROMPT[t]}}, new int[] {t}, new int[] {0},
                        new Phase[] {Phase.PROMPT}, new boolean[] {true});
                System.arraycopy(model.forwardLogits(one, b, StepHooks.NONE, LogitsMode.LAST), 0, stepwise, t * v, v);
            }
        }
        return new float[][] {all, stepwise};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void prefillEqualsTokenByTokenDecodeOnBothDecoders(Case c, @TempDir Path dir) throws Exception {
        write(c.kind(), dir);
        assertThat(HfConfig.read(dir).attention()).isEqualTo(c.kind());
        LoadOptions java = LoadOptions.java(64, 2).withAttention(AttentionChoice.of(c.options()));
        try (CausalLM model = ModelLoader.load(dir, java)) {
            assertThat(model.backend().kind()).isEqualTo(Backend.Kind.JAVA);
            assertThat(model.config().attention()).isEqualTo(c.kind());
            float[][] r = prefillAndStepwise(model);
            assertThat(r[1]).as("java decoder: token-by-token equals prefill bit for bit").containsExactly(r[0]);
        }
        LoadOptions tensor = new LoadOptions(Optional.of(ComputeDType.F32), 64, Backend.Request.TENSOR, 2, WeightCache.OFF)
                .withAttention(AttentionChoice.of(c.options()));
        try (CausalLM model = ModelLoader.load(dir, tensor)) {
            float[][] r = prefillAndStepwise(model);
            for (int i = 0; i < r[0].length; i++) assertEquals(r[0][i], r[1][i], 1e-5 + 1e-5 * Math.abs(r[0][i]), "tensor decoder, logit " + i);
        }
    }

    @Test
    void aCheckpointRefusesAKernelItWasNotTrainedWithUnlessForced(@TempDir Path dir) throws Exception {
        write(new AttentionKind.Softplus(8, 1), dir);
        AttentionChoice softmax = new AttentionChoice(Optional.of(AttentionKind.SOFTMAX), false, AttentionOptions.DEFAULT);
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadOptions.java(64, 1).withAttention(softmax)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trained with lssa").hasMessageContaining("--force-attention");
        AttentionChoice forced = new AttentionChoice(Optional.of(AttentionKind.SOFTMAX), true, AttentionOptions.DEFAULT);
        try (CausalLM model = ModelLoader.load(dir, LoadOptions.java(64, 1).withAttention(forced))) {
            assertThat(model.config().attention()).isEqualTo(AttentionKind.SOFTMAX);
        }
        // the softmax options are refused by another kind
        AttentionChoice logN = AttentionChoice.of(new AttentionOptions(SoftmaxAlgorithm.REFERENCE, new LengthScale.LogN(8)));
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadOptions.java(64, 1).withAttention(logN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("log-n scaling applies to softmax models");
        AttentionChoice twoPass = AttentionChoice.of(new AttentionOptions(SoftmaxAlgorithm.TWO_PASS, LengthScale.NONE));
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadOptions.java(64, 1).withAttention(twoPass)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two-pass");
    }

    @Test
    void softmaxAlgorithmsGiveTheSameGreedyTokens(@TempDir Path dir) throws Exception {
        write(AttentionKind.SOFTMAX, dir);
        int[][] reference = null;
        for (SoftmaxAlgorithm a : SoftmaxAlgorithm.values()) {
            LoadOptions o = LoadOptions.java(64, 2).withAttention(AttentionChoice.of(new AttentionOptions(a, LengthScale.NONE)));
            try (CausalLM model = ModelLoader.load(dir, o); KvCache cache = model.newCache(1, 64)) {
                int[][] tokens = ForwardEquivalenceTest.greedy(model, cache, new int[][] {PROMPT}, new int[] {0}, 12);
                if (reference == null) reference = tokens;
                else assertThat(tokens).as(a.id()).isDeepEqualTo(reference);
            }
        }
    }

    @Test
    void aBrokenAttentionFieldIsNamed(@TempDir Path dir) throws Exception {
        write(AttentionKind.SOFTMAX, dir);
        Path config = dir.resolve("config.json");
        String json = java.nio.file.Files.readString(config);
        java.nio.file.Files.writeString(config, json.replaceFirst("\\{", "{\"vane_attention\": {\"kind\": \"lssar\", \"train_length\": 64, \"power\": 1},"));
        assertThatThrownBy(() -> HfConfig.read(dir)).hasMessageContaining("vane_attention").hasMessageContaining("power must be > 1");
        java.nio.file.Files.writeString(config, json.replaceFirst("\\{", "{\"vane_attention\": {\"kind\": \"cosine\"},"));
        assertThatThrownBy(() -> HfConfig.read(dir)).hasMessageContaining("vane_attention").hasMessageContaining("cosine");
    }
}
