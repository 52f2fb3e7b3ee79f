package dev.vane.engine.model;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.cache.KvDType;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java decoder (cached steps of an f16 checkpoint in Java kernels: f16 weights, f32
 * activations) against the tensor decoder of the same checkpoint in f32 compute (no cache:
 * PyTorch projections, attention, norms and RoPE over the whole sequence, with the same
 * f16-valued weights widened exactly), which it must match up to float summation order. The
 * decoder keeps an f32 KV cache here, so that nothing but the order of summation differs
 * (the f16 cache's rounding is bounded in {@code F16KvCacheTest}).
 */
class JavaDecoderTest {

    private static final float TOLERANCE = 2e-3f;
    private static final int[][] PROMPTS = {{1, 17, 250, 3, 99, 411, 7}, {42}, {9, 8, 7, 6}};
    private static final int[] SLOTS = {3, 0, 2};

    private static CausalLM java(Path dir, int threads) {
        CausalLM model = ModelLoader.load(dir, LoadOptions.java(64, threads).withKv(KvDType.F32));
        assertEquals(Backend.Kind.JAVA, model.backend().kind());
        return model;
    }

    /** The reference: f32 compute over the f16 checkpoint's weights (exact in f32). */
    private static TensorDecoder tensor(Path dir) {
        return ModelLoader.loadTensor(dir, ComputeDType.F32, 64);
    }

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"TINY_LLAMA", "TINY_MISTRAL", "TINY_QWEN2", "TINY_QWEN3"})
    void raggedPrefillAndBatchedDecodeMatchWholeSequenceForwards(Preset preset) {
        Path dir = Fixtures.of(preset, FileDType.F16, 13);
        try (CausalLM model = java(dir, 2); TensorDecoder reference = tensor(dir);
             KvCache cache = model.newCache(4, 64)) {
            int b = PROMPTS.length, v = model.config().vocabSize();
            int[][] seqs = PROMPTS.clone();
            int[][] next = PROMPTS;
            int[] start = new int[b];
            for (int step = 0; step < 5; step++) {
                float[] logits = step(model, cache, next, start, SLOTS, step == 0, StepHooks.NONE);
                assertEquals(b * v, logits.length);
                int[][] following = new int[b][];
                for (int r = 0; r < b; r++) {
                    float[] row = Arrays.copyOfRange(logits, r * v, (r + 1) * v);
                    assertArrayEquals(wholeSequence(reference, seqs[r], RowHooks.NONE), row, TOLERANCE,
                            preset + " step " + step + " row " + r);
                    start[r] += next[r].length;
                    int best = argmax(row);
                    following[r] = new int[] {best};
                    seqs[r] = Arrays.copyOf(seqs[r], seqs[r].length + 1);
                    seqs[r][seqs[r].length - 1] = best;
                }
                next = following;
            }
        }
    }

    /** One cached step: the prompts' prefill ({@code prompt}) or one decode token per row. */
    private static float[] step(CausalLM model, KvCache cache, int[][] tokens, int[] start, int[] slots, boolean prompt,
                                StepHooks hooks) {
        int b = tokens.length;
        Phase[] phase = new Phase[b];
        Arrays.fill(phase, prompt ? Phase.PROMPT : Phase.GENERATION);
        boolean[] last = new boolean[b];
        Arrays.fill(last, prompt);
        try (NDScope scope = new NDScope()) {
            return model.forwardLogits(new StepInput(tokens, start.clone(), slots, phase, last), cache, hooks, LogitsMode.LAST);
        }
    }

    /** Logits of a prefill of {@code prompts} then three decode steps feeding fixed tokens, on a fresh cache. */
    private static float[] fixedRun(CausalLM model, int[][] prompts, int[] slots, KvDType kv) {
        int b = prompts.length;
        try (KvCache cache = model.newCache(4, 64, kv)) {
            float[] out = new float[0];
            int[][] next = prompts;
            int[] start = new int[b];
            for (int step = 0; step < 4; step++) {
                float[] logits = step(model, cache, next, start, slots, step == 0, StepHooks.NONE);
                int n = out.length;
                out = Arrays.copyOf(out, n + logits.length);
                System.arraycopy(logits, 0, out, n, logits.length);
                int[][] following = new int[b][];
                for (int r = 0; r < b; r++) {
                    start[r] += next[r].length;
                    following[r] = new int[] {(7 * step + prompts[r][0]) % 300 + 1};
                }
                next = following;
            }
            return out;
        }
    }

    @Test
    void aStepAfterALargerOneComputesWhatAFreshDecoderComputes() { // the reused activation buffers hold stale values past the step
        Path dir = Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 21);
        int[] small = {5, 6, 7};
        int[] large = new int[40];
        for (int i = 0; i < large.length; i++) large[i] = 1 + (i * 37) % 250;
        float[] fresh;
        try (CausalLM model = java(dir, 2); KvCache cache = model.newCache(1, 64)) {
            fresh = model.forwardLogits(StepInput.prompt(small, 0), cache, StepHooks.NONE, LogitsMode.ALL);
        }
        try (CausalLM model = java(dir, 2); KvCache cache = model.newCache(2, 64)) { // one cache: its buffers are reused
            model.forwardLogits(new StepInput(new int[][] {large, large}, new int[] {0, 0}, new int[] {0, 1}, new Phase[] {Phase.PROMPT, Phase.PROMPT},
                    new boolean[] {true, true}), cache, StepHooks.NONE, LogitsMode.ALL);
            assertArrayEquals(fresh, model.forwardLogits(StepInput.prompt(small, 0), cache, StepHooks.NONE, LogitsMode.ALL));
        }
    }

    @ParameterizedTest
    @EnumSource(KvDType.class)
    void stepsAreBitIdenticalBeforeAndAfterWarmUpAndMatchInOrOutOfABatch(KvDType kv) {
        try (CausalLM model = java(Fixtures.of(Preset.TINY_QWEN3, FileDType.F16, 13), 2)) {
            float[] cold = fixedRun(model, PROMPTS, SLOTS, kv); // the first calls run interpreted or in C1
            for (int i = 0; i < 400; i++) fixedRun(model, PROMPTS, SLOTS, kv); // until the kernels are compiled by C2
            assertArrayEquals(cold, fixedRun(model, PROMPTS, SLOTS, kv), 0f, "same steps after warm-up");
            int v = model.config().vocabSize();
            for (int r = 0; r < PROMPTS.length; r++) {
                float[] solo = fixedRun(model, new int[][] {PROMPTS[r]}, new int[] {SLOTS[r]}, kv);
                for (int step = 0; step < 4; step++) {
                    float[] inBatch = Arrays.copyOfRange(cold, (step * PROMPTS.length + r) * v, (step * PROMPTS.length + r + 1) * v);
                    float[] alone = Arrays.copyOfRange(solo, step * v, (step + 1) * v);
                    // alone the rows take the single-row kernel, batched the row tiles: same chains, same tree
                    assertArrayEquals(alone, inBatch, 0f, "row " + r + " step " + step + " alone vs in the batch");
                }
            }
        }
    }

    @Test
    void allPositionsOfACachedPromptMatchTheUncachedOnes() {
        Path dir = Fixtures.of(Preset.TINY_QWEN2, FileDType.F16, 3);
        try (CausalLM model = java(dir, 2); TensorDecoder reference = tensor(dir);
             KvCache cache = model.newCache(1, 64);
             NDScope scope = new NDScope()) {
            float[] cached = model.forwardLogits(StepInput.prompt(PROMPTS[0], 0), cache, StepHooks.NONE, LogitsMode.ALL);
            float[] whole = reference.forward(StepInput.prompt(PROMPTS[0], 0), TensorHooks.NONE, LogitsMode.ALL).toFloatArray();
            assertEquals(PROMPTS[0].length * model.config().vocabSize(), cached.length);
            assertArrayEquals(whole, cached, TOLERANCE);
        }
    }

    /** Row hooks given per site as an in-place operation on the row's slice {@code (x, offset, tokens, width)}. */
    private record SiteHooks(Map<HookSite, SliceOp> ops) implements RowHooks {
        interface SliceOp { void apply(float[] x, int offset, int tokens, int width); }

        @Override public boolean actsAt(HookSite site, StepContext.Row row) { return ops.containsKey(site); }

        @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
            ops.get(site).apply(x, offset, tokens, width);
        }
    }

    @Test
    void rowHooksActOnTheJavaDecoderAsOnTheTensorDecoder() {
        Path dir = Fixtures.of(Preset.TINY_QWEN3, FileDType.F16, 5);
        try (CausalLM model = java(dir, 2); TensorDecoder reference = tensor(dir)) {
            int d = model.config().hiddenSize();
            float[] steer = new float[d];
            for (int i = 0; i < d; i++) steer[i] = (float) Math.sin(i) * 0.5f;
            RowHooks hooks = new SiteHooks(Map.of(
                    HookSite.of(0, Component.RESID_POST), (x, o, t, w) -> {
                        for (int p = 0; p < t; p++) for (int i = 0; i < w; i++) x[o + p * w + i] += steer[i];
                    },
                    HookSite.of(1, Component.ATTN_HEADS), (x, o, t, w) -> {
                        for (int i = o; i < o + t * w; i++) x[i] *= 0.5f;
                    },
                    HookSite.of(1, Component.MLP_OUT), (x, o, t, w) -> {
                        for (int i = o; i < o + t * w; i++) x[i] *= 2f;
                    }));
            int[] prompt = PROMPTS[0];
            float[] plain = cachedPrompt(model, prompt, RowHooks.NONE);
            float[] hooked = cachedPrompt(model, prompt, hooks);
            assertArrayEquals(wholeSequence(reference, prompt, hooks), hooked, TOLERANCE);
            float diff = 0;
            for (int i = 0; i < plain.length; i++) diff = Math.max(diff, Math.abs(plain[i] - hooked[i]));
            assertTrue(diff > 0.01f, "the hooks changed the logits");
        }
    }

    @Test
    void visitingEverySiteWithoutChangingItLeavesTheLogitsBitForBit() {
        try (CausalLM model = java(Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 6), 2)) {
            RowHooks everywhere = new RowHooks() {
                @Override public boolean actsAt(HookSite site, StepContext.Row row) { return true; }
                @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {}
            };
            assertArrayEquals(cachedPrompt(model, PROMPTS[0], RowHooks.NONE), cachedPrompt(model, PROMPTS[0], everywhere), 0f);
        }
    }

    @Test
    void aLogitsHookActsOnTheLogitsOfTheJavaDecoder() {
        try (CausalLM model = java(Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 6), 2)) {
            int[] prompt = PROMPTS[0];
            RowHooks plusThree = new SiteHooks(Map.of(HookSite.LOGITS, (x, o, t, w) -> {
                assertEquals(1, t); // the last position's logits only
                assertEquals(model.config().vocabSize(), w);
                for (int i = o; i < o + w; i++) x[i] += 3f;
            }));
            float[] plain = cachedPrompt(model, prompt, RowHooks.NONE), hooked = cachedPrompt(model, prompt, plusThree);
            assertEquals(plain.length, hooked.length);
            for (int i = 0; i < plain.length; i++) assertEquals(plain[i] + 3f, hooked[i], 1e-5f);
        }
    }

    @Test
    void forwardLogitsWritesIntoAGivenBufferThatFits() {
        try (CausalLM model = java(Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 6), 2)) {
            int[] prompt = PROMPTS[0];
            float[] fresh = cachedPrompt(model, prompt, RowHooks.NONE);
            float[] buffer = new float[fresh.length + 5];
            Arrays.fill(buffer, Float.NaN); // old contents of a reused buffer
            float[] small = new float[fresh.length - 1];
            for (float[] into : new float[][] {buffer, small}) {
                float[] got;
                try (KvCache cache = model.newCache(1, 64)) {
                    got = model.forwardLogits(StepInput.prompt(prompt, 0), cache, StepHooks.NONE, LogitsMode.LAST, into);
                }
                if (into == buffer) assertSame(buffer, got); else assertNotSame(small, got);
                assertArrayEquals(fresh, Arrays.copyOf(got, fresh.length), 0f);
            }
        }
    }

    @Test
    void eachDecoderStepsOverItsOwnCachesOnly() {
        Path dir = Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 1);
        try (CausalLM java = java(dir, 1); TensorDecoder torch = tensor(dir);
             KvCache javaCache = java.newCache(1, 64); KvCache torchCache = torch.newCache(1, 64);
             NDScope scope = new NDScope()) {
            StepInput in = StepInput.prompt(PROMPTS[2], 0);
            java.forwardLogits(in, javaCache, StepHooks.NONE, LogitsMode.LAST);
            torch.forwardLogits(in, torchCache, StepHooks.NONE, LogitsMode.LAST);
            assertThrows(IllegalArgumentException.class, () -> torch.forwardLogits(in, javaCache, StepHooks.NONE, LogitsMode.LAST));
            assertThrows(IllegalArgumentException.class, () -> java.forwardLogits(in, torchCache, StepHooks.NONE, LogitsMode.LAST));
        }
    }

    private static float[] cachedPrompt(CausalLM model, int[] prompt, RowHooks hooks) {
        try (KvCache cache = model.newCache(1, 64)) {
            return step(model, cache, new int[][] {prompt}, new int[1], new int[1], true, StepHooks.of(List.of(hooks)));
        }
    }

    /** Last-position logits of the whole sequence through the tensor decoder (no cache). */
    private static float[] wholeSequence(TensorDecoder model, int[] seq, RowHooks hooks) {
        try (NDScope scope = new NDScope()) {
            return model.forward(StepInput.prompt(seq, 0), StepHooks.of(List.of(hooks)), LogitsMode.LAST).toFloatArray();
        }
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }
}
