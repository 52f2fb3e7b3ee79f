package dev.vane.engine.model;

import dev.vane.attention.RopeScaling;
import dev.vane.engine.cache.JavaKvCache;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.cache.KvDType;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The Java decoder's f16 KV cache: half the bytes of f32, within a stated tolerance of the f32
 * cache's results, and the same bits whichever step reads a position (a prompt in one chunk or
 * token by token, with a sliding window shorter than the prompt).
 */
class F16KvCacheTest {

    /**
     * Stated tolerance against the f32 cache over a ragged prefill and 6 greedy decode steps: the
     * same top-1 token at every step, log-probabilities within 0.02 (keys and values carry a
     * relative rounding of at most 2⁻¹¹).
     */
    private static final double MAX_LOGPROB_DIFF = 0.02;

    private static final int[][] PROMPTS = {{1, 17, 250, 3, 99, 411, 7, 64, 300, 12}, {42}, {9, 8, 7, 6}};
    private static final int[] SLOTS = {2, 0, 1};

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"TINY_LLAMA", "TINY_MISTRAL", "TINY_QWEN2", "TINY_QWEN3"})
    void anF16CacheHalvesTheBytesAndStaysWithinItsToleranceOfF32(Preset preset) {
        try (CausalLM model = ModelLoader.load(Fixtures.of(preset, FileDType.F16, 17), LoadOptions.java(64, 2));
             KvCache f16 = model.newCache(3, 64, KvDType.F16); KvCache f32 = model.newCache(3, 64, KvDType.F32)) {
            assertThat(model.kvDType()).isEqualTo(KvDType.F16);
            assertThat(f16.dtype()).isEqualTo(KvDType.F16);
            assertThat(2 * f16.bytes()).isEqualTo(f32.bytes());
            int v = model.config().vocabSize();
            int[][] next = PROMPTS;
            int[] start = new int[PROMPTS.length];
            double worst = 0;
            for (int step = 0; step < 7; step++) {
                float[] a = step(model, f16, next, start, step == 0), b = step(model, f32, next, start, step == 0);
                int[][] following = new int[PROMPTS.length][];
                for (int r = 0; r < PROMPTS.length; r++) {
                    double[] la = logSoftmax(a, r * v, v), lb = logSoftmax(b, r * v, v);
                    int top = argmax(lb);
                    assertThat(argmax(la)).as("%s step %d row %d: top-1", preset, step, r).isEqualTo(top);
                    for (int i = 0; i < v; i++) worst = Math.max(worst, Math.abs(la[i] - lb[i]));
                    start[r] += next[r].length;
                    following[r] = new int[] {top};
                }
                next = following;
            }
            assertThat(worst).as("%s: max |Δ log-prob|", preset).isLessThan(MAX_LOGPROB_DIFF).isGreaterThan(0);
        }
    }

    @Test
    void aPromptInOneChunkGivesTheBitsOfTokenByTokenThroughASlidingWindow(@TempDir Path dir) throws Exception {
        int window = 4;
        ModelConfig cfg = new ModelConfig(Architecture.MISTRAL, 512, 64, 160, 2, 4, 2, 16, 1e-5, 10000,
                RopeScaling.NONE, 256, false, false, OptionalInt.of(window), 0, OptionalInt.empty(), List.of(2));
        FixtureWriter.write(cfg, FileDType.F16, 5, dir);
        // 72 tokens: the chunk's attention (Σ positions × heads × Dh ≈ 170k multiply-adds) runs and converts on the pool
        int[] prompt = new int[72];
        for (int i = 0; i < prompt.length; i++) prompt[i] = 1 + (i * 37) % 500;
        try (CausalLM model = ModelLoader.load(dir, LoadOptions.java(128, 2));
             KvCache chunk = model.newCache(1, 128); KvCache single = model.newCache(1, 128)) {
            float[] all = model.forwardLogits(StepInput.prompt(prompt, 0), chunk, StepHooks.NONE, LogitsMode.ALL);
            int v = cfg.vocabSize();
            for (int t = 0; t < prompt.length; t++) {
                StepInput one = new StepInput(new int[][] {{prompt[t]}}, new int[] {t}, new int[] {0},
                        new Phase[] {Phase.PROMPT}, new boolean[] {true});
                float[] step = model.forwardLogits(one, single, StepHooks.NONE, LogitsMode.LAST);
                assertArrayEquals(Arrays.copyOfRange(all, t * v, (t + 1) * v), step, 0f, "position " + t);
            }
        }
    }

    @Test
    void storedValuesRoundToF16AndSaturateAtItsLargestFiniteValue() {
        ModelConfig cfg = Preset.TINY_LLAMA.config();
        int dh = cfg.headDim(), g = cfg.numKvHeads(), width = (cfg.numHeads() + 2 * g) * dh;
        float[] qkv = new float[width];
        int k0 = cfg.numHeads() * dh, v0 = k0 + g * dh;
        float[] probe = {1f / 3, 1e6f, -1e6f, Float.NaN, 65504f, 1e-8f, -0f};
        System.arraycopy(probe, 0, qkv, k0, probe.length);
        System.arraycopy(probe, 0, qkv, v0 + dh, probe.length); // KV head 1's values
        try (JavaKvCache cache = new JavaKvCache(cfg, 1, 8, KvDType.F16)) {
            cache.update(0, 0, 5, qkv, k0, v0);
            float[] keys = new float[dh], values = new float[dh];
            cache.read(0, 0, 0, 5, 1, keys, values, 0);
            float[] expected = {Float.float16ToFloat(Float.floatToFloat16(1f / 3)), 65504f, -65504f, Float.NaN, 65504f,
                    Float.float16ToFloat(Float.floatToFloat16(1e-8f)), -0f};
            assertArrayEquals(expected, Arrays.copyOf(keys, probe.length));
            cache.read(0, 0, 1, 5, 1, keys, values, 0);
            assertArrayEquals(expected, Arrays.copyOf(values, probe.length));
            assertThatThrownBy(() -> cache.keys(0, 0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("f16");
        }
    }

    @Test
    void theTensorBackendRefusesAnF16CacheNamingTheOption() {
        Path dir = Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 17);
        LoadOptions tensor = new LoadOptions(Optional.of(ComputeDType.F32), 64, Backend.Request.TENSOR, 1, WeightCache.OFF);
        assertThatThrownBy(() -> ModelLoader.load(dir, tensor.withKv(KvDType.F16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kv-dtype").hasMessageContaining("f32 KV cache");
        try (CausalLM model = ModelLoader.load(dir, tensor)) {
            assertThat(model.kvDType()).isEqualTo(KvDType.F32);
            assertThatThrownBy(() -> model.newCache(1, 8, KvDType.F16)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static float[] step(CausalLM model, KvCache cache, int[][] tokens, int[] start, boolean prompt) {
        int b = tokens.length;
        Phase[] phase = new Phase[b];
        Arrays.fill(phase, prompt ? Phase.PROMPT : Phase.GENERATION);
        boolean[] last = new boolean[b];
        Arrays.fill(last, prompt);
        return model.forwardLogits(new StepInput(tokens, start.clone(), SLOTS, phase, last), cache, StepHooks.NONE, LogitsMode.LAST);
    }

    private static double[] logSoftmax(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        for (int i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = x[off + i] - max - Math.log(sum);
        return out;
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
