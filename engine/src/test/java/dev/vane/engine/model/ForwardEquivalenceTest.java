package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.vane.attention.RopeScaling;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Equivalences of the forward pass: prefill vs decode, cache vs none, batch vs solo. */
class ForwardEquivalenceTest {

    private static final int[] PROMPT = {1, 17, 250, 3, 99, 411, 7, 64, 300, 12, 5, 480};

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"TINY_LLAMA", "TINY_MISTRAL", "TINY_QWEN2", "TINY_QWEN3"})
    void prefillEqualsTokenByToken(Preset preset) {
        try (TensorDecoder model = ModelLoader.loadTensor(Fixtures.of(preset, FileDType.F32, 7), ComputeDType.F32, 64);
             KvCache prefillCache = model.newCache(1, 64);
             KvCache stepCache = model.newCache(1, 64);
             NDScope scope = new NDScope()) {
            float[] all = model.forward(StepInput.prompt(PROMPT, 0), prefillCache, TensorHooks.NONE, StepHooks.NONE, LogitsMode.ALL)
                    .toFloatArray();
            float[] local = model.forward(StepInput.prompt(PROMPT, 0), TensorHooks.NONE, LogitsMode.ALL).toFloatArray();
            int v = model.config().vocabSize();
            for (int t = 0; t < PROMPT.length; t++) {
                StepInput one = new StepInput(new int[][] {{PROMPT[t]}}, new int[] {t}, new int[] {0},
                        new Phase[] {Phase.PROMPT}, new boolean[] {t == PROMPT.length - 1});
                float[] step = model.forward(one, stepCache, TensorHooks.NONE, StepHooks.NONE, LogitsMode.LAST).toFloatArray();
                for (int i = 0; i < v; i++) {
                    assertEquals(all[t * v + i], step[i], 1e-5, "position " + t + " token " + i);
                    assertEquals(all[t * v + i], local[t * v + i], 1e-5, "no-cache position " + t + " token " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"TINY_LLAMA", "TINY_QWEN3"})
    void batchOfRaggedRowsEqualsEachRowAlone(Preset preset) {
        int[][] prompts = {
                {5, 6, 7},
                {1, 17, 250, 3, 99, 411, 7, 64, 300},
                {42},
                {9, 8, 7, 6, 5, 4},
        };
        int steps = 10;
        try (TensorDecoder model = ModelLoader.loadTensor(Fixtures.of(preset, FileDType.F32, 11), ComputeDType.F32, 64)) {
            int[][] solo = new int[prompts.length][];
            for (int r = 0; r < prompts.length; r++) {
                try (KvCache cache = model.newCache(1, 64)) {
                    solo[r] = greedy(model, cache, new int[][] {prompts[r]}, new int[] {0}, steps)[0];
                }
            }
            try (KvCache cache = model.newCache(6, 64)) {
                // rows in non-contiguous slots, all prefilled in one padded step
                int[][] batched = greedy(model, cache, prompts, new int[] {4, 1, 5, 2}, steps);
                for (int r = 0; r < prompts.length; r++)
                    assertArrayEquals(solo[r], batched[r], "row " + r + " batched vs alone");
            }
        }
    }

    /** Greedy decoding of several rows together: one ragged prefill step, then batched decode. */
    static int[][] greedy(CausalLM model, KvCache cache, int[][] prompts, int[] slots, int steps) {
        int b = prompts.length;
        int[][] out = new int[b][steps];
        int[][] next = prompts;
        int[] start = new int[b];
        for (int s = 0; s < steps; s++) {
            Phase[] phase = new Phase[b];
            Arrays.fill(phase, s == 0 ? Phase.PROMPT : Phase.GENERATION);
            boolean[] last = new boolean[b];
            Arrays.fill(last, s == 0);
            float[] logits;
            try (NDScope scope = new NDScope()) {
                logits = model.forwardLogits(new StepInput(next, start.clone(), slots, phase, last), cache,
                        StepHooks.NONE, LogitsMode.LAST);
            }
            int v = model.config().vocabSize();
            int[][] following = new int[b][];
            for (int r = 0; r < b; r++) {
                int best = 0;
                for (int i = 1; i < v; i++) if (logits[r * v + i] > logits[r * v + best]) best = i;
                out[r][s] = best;
                start[r] += next[r].length;
                following[r] = new int[] {best};
            }
            next = following;
        }
        return out;
    }

    @Test
    void slidingWindowSeesOnlyTheLastWTokens(@TempDir Path dir) throws Exception {
        int window = 4;
        ModelConfig oneLayer = new ModelConfig(Architecture.MISTRAL, 512, 64, 160, 1, 4, 1, 16, 1e-5, 10000,
                RopeScaling.NONE, 256, false, false, OptionalInt.of(window), 0, OptionalInt.empty(), List.of(2));
        FixtureWriter.write(oneLayer, FileDType.F32, 3, dir);
        // With one layer, keys and values depend only on their own token, and RoPE only on relative
        // position: the last token of the whole sequence must see exactly what it sees when the
        // sequence is cut to its last W tokens.
        try (TensorDecoder model = ModelLoader.loadTensor(dir, ComputeDType.F32, 64);
             KvCache cache = model.newCache(1, 64);
             NDScope scope = new NDScope()) {
            float[] full = model.forward(StepInput.prompt(PROMPT, 0), cache, TensorHooks.NONE, StepHooks.NONE, LogitsMode.LAST)
                    .toFloatArray();
            int[] tail = Arrays.copyOfRange(PROMPT, PROMPT.length - window, PROMPT.length);
            float[] cut = model.forward(StepInput.prompt(tail, 0), TensorHooks.NONE, LogitsMode.LAST).toFloatArray();
            assertArrayEquals(cut, full, 1e-4f);
            int[] longer = Arrays.copyOfRange(PROMPT, PROMPT.length - window - 1, PROMPT.length);
            float[] tooMuch = model.forward(StepInput.prompt(longer, 0), TensorHooks.NONE, LogitsMode.LAST)
                    .toFloatArray();
            assertArrayEquals(tooMuch, full, 1e-4f, "cutting W+1 tokens also matches (the first is outside)");
        }
    }
}
