package dev.vane.engine.generate;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end generation on a tiny random model with the real Llama 3 tokenizer. */
class GeneratorTest {

    private static Path dir;
    private static CausalLM model;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static int[] prompt;

    @BeforeAll
    static void setUp() throws Exception {
        dir = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 99);
        model = ModelLoader.loadTensor(dir, ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(dir);
        generator = new Generator(model, tokenizer, 4, 256);
        prompt = tokenizer.encode("The quick brown fox jumps over the lazy dog. Once upon a time", true);
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        tokenizer.close();
        model.close();
    }

    private static GenerationResult run(SamplingParams p) {
        return generator.generate(prompt, p, TokenListener.NONE);
    }

    @Test
    void seededSamplingReproducesAndSeedsDiffer() {
        SamplingParams p = SamplingParams.builder().temperature(1.0).topP(0.95).seed(42).maxTokens(24).ignoreEos(true).build();
        GenerationResult a = run(p), b = run(p);
        assertArrayEquals(a.tokens(), b.tokens());
        GenerationResult c = run(p.toBuilder().seed(43).build());
        assertNotEquals(List.of(a.tokens()), List.of(c.tokens()));
        assertThat(a.tokens()).isNotEqualTo(c.tokens());
        assertEquals(FinishReason.LENGTH, a.finishReason());
        assertEquals(24, a.tokens().length);
    }

    @Test
    void streamedTextEqualsFinalTextAndNeverBreaksUtf8() {
        List<String> pieces = new ArrayList<>();
        StringBuilder trailing = new StringBuilder();
        SamplingParams p = SamplingParams.builder().temperature(1.0).seed(7).maxTokens(40).ignoreEos(true).build();
        GenerationResult r = generator.generate(prompt, p, new TokenListener() {
            @Override public void onToken(TokenEvent e) { pieces.add(e.text()); }
            @Override public void onFinish(FinishReason reason, String text, Optional<String> error) { trailing.append(text); }
        });
        String streamed = String.join("", pieces) + trailing;
        assertEquals(r.text(), streamed);
        assertEquals(tokenizer.decode(r.tokens(), true), r.text());
        for (String piece : pieces) assertThat(piece).doesNotContain("\uFFFD");
    }

    @Test
    void stopStringSpanningTwoTokensStopsAndIsExcluded() {
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(40).ignoreEos(true).build();
        GenerationResult full = run(greedy);
        // find a boundary between two tokens that both decode to visible text
        String stop = null;
        int cut = -1;
        for (int i = 2; i + 1 < full.tokens().length && stop == null; i++) {
            String left = tokenizer.decode(java.util.Arrays.copyOf(full.tokens(), i), true);
            String right = tokenizer.decode(java.util.Arrays.copyOf(full.tokens(), i + 1), true);
            if (left.length() < 2 || right.length() <= left.length()) continue;
            String candidate = left.substring(left.length() - 2) + right.charAt(left.length());
            if (candidate.contains("\uFFFD")) continue;
            if (full.text().indexOf(candidate) == left.length() - 2) {
                stop = candidate;
                cut = left.length() - 2;
            }
        }
        assertThat(stop).as("a stop string across a token boundary").isNotNull();
        GenerationResult r = run(greedy.toBuilder().stop(stop).build());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(full.text().substring(0, cut), r.text());
    }

    @Test
    void stopTokenIdEndsWithoutItsText() {
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(20).ignoreEos(true).build();
        GenerationResult full = run(greedy);
        int third = full.tokens()[2];
        GenerationResult r = run(greedy.toBuilder().stopTokenIds(third).build());
        assertEquals(FinishReason.STOP, r.finishReason());
        int firstIndex = 0;
        while (full.tokens()[firstIndex] != third) firstIndex++;
        assertEquals(firstIndex + 1, r.tokens().length);
        assertEquals(tokenizer.decode(java.util.Arrays.copyOf(full.tokens(), firstIndex), true), r.text());
    }

    /**
     * A batch row computes what its solo run computes, up to float rounding: BLAS may pick another
     * GEMM kernel for 3 rows than for 1 (it does on AVX-512 Xeons, not on the AVX2 EPYCs), so the
     * last bits of a logit can differ (measured: |Δ log p| ≈ 1e-6). Greedy rows must agree token
     * for token; a sampled row may part from its solo run only where the sampler's draw falls
     * within that rounding of a boundary between two tokens, so it is checked on the common prefix.
     */
    @Test
    void batchedSequencesEqualSoloRuns() {
        List<SamplingParams> params = List.of(
                SamplingParams.builder().temperature(0).maxTokens(12).ignoreEos(true).logprobs(1).build(),
                SamplingParams.builder().temperature(0.8).seed(1).maxTokens(9).ignoreEos(true).logprobs(1).build(),
                SamplingParams.builder().temperature(1.2).topK(40).seed(2).maxTokens(15).ignoreEos(true).logprobs(1).build());
        int[][] prompts = {prompt, tokenizer.encode("Hello", true), tokenizer.encode("A much longer prompt, with commas", true)};
        List<Sequence> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) batch.add(generator.newSequence(prompts[i], params.get(i), TokenListener.NONE));
        generator.run(batch);
        for (int i = 0; i < 3; i++) {
            GenerationResult solo = generator.generate(prompts[i], params.get(i), TokenListener.NONE);
            GenerationResult b = batch.get(i).result();
            assertEquals(solo.tokens().length, b.tokens().length, "sequence " + i + " length");
            if (params.get(i).temperature() == 0) assertArrayEquals(solo.tokens(), b.tokens(), "greedy sequence " + i);
            int common = 0;
            while (common < solo.tokens().length && solo.tokens()[common] == b.tokens()[common]) common++;
            assertTrue(common >= 1, "sequence " + i + " differs at its first token");
            for (int t = 0; t < common; t++)
                assertEquals(solo.logprobs().get(t).chosen().logprob(), b.logprobs().get(t).chosen().logprob(), 1e-4,
                        "sequence " + i + " token " + t);
        }
    }

    @Test
    void cancelStopsTheSequenceAndFreesItsSlot() {
        SamplingParams p = SamplingParams.builder().temperature(0).maxTokens(50).ignoreEos(true).build();
        List<Sequence> holder = new ArrayList<>();
        int[] seen = {0};
        Sequence s = generator.newSequence(prompt, p, e -> {
            if (++seen[0] == 2) holder.get(0).cancel();
        });
        holder.add(s);
        generator.run(List.of(s));
        assertEquals(FinishReason.CANCELLED, s.finishReason().orElseThrow());
        assertThat(s.result().tokens().length).isLessThan(5);
        // all slots free again: four sequences fit
        List<Sequence> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) four.add(generator.newSequence(prompt, p.toBuilder().maxTokens(2).build(), TokenListener.NONE));
        generator.run(four);
    }

    @Test
    void contextOverflowIsRejectedNamingTheField() {
        var e = assertThrows(InvalidSamplingParamsException.class,
                () -> generator.newSequence(prompt, SamplingParams.greedy(1000), TokenListener.NONE));
        assertEquals("max_tokens", e.field());
    }
}
