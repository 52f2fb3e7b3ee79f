package dev.vane.engine.generate;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code prompt_logprobs} on the serving decoder: each prompt token's log-probability given the
 * tokens before it, as a whole-prompt forward pass gives them, whatever the prefill chunk, and
 * without changing the sequence's own tokens or another row's.
 */
class PromptLogprobsTest {

    private static CausalLM model;
    private static Tokenizer tokenizer;
    private static int[] prompt;

    @BeforeAll
    static void setUp() throws Exception {
        Path dir = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 5);
        model = ModelLoader.load(dir, LoadOptions.java(128, 2));
        tokenizer = Tokenizer.load(dir);
        prompt = tokenizer.encode("The quick brown fox jumps over the lazy dog. Once upon a time", true);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        model.close();
    }

    /** The reference: one forward pass over the whole prompt, every position's logits. */
    private static TokenLogprobs[] reference(int top) {
        int v = model.config().vocabSize();
        float[] all;
        try (KvCache kv = model.newCache(1, 128)) {
            kv.acquire(0);
            all = model.forwardLogits(StepInput.prompt(prompt, 0), kv, StepHooks.NONE, LogitsMode.ALL);
        }
        TokenLogprobs[] out = new TokenLogprobs[prompt.length - 1];
        for (int p = 0; p + 1 < prompt.length; p++)
            out[p] = TokenLogprobs.compute(Arrays.copyOfRange(all, p * v, (p + 1) * v), prompt[p + 1], top);
        return out;
    }

    @Test
    void everyPromptTokenIsScoredAsAWholePromptPassScoresIt() {
        TokenLogprobs[] expected = reference(3);
        SamplingParams p = SamplingParams.greedy(4).toBuilder().promptLogprobs(3).build();
        for (int chunk : new int[] {Integer.MAX_VALUE, 5, 1}) {
            try (Generator g = new Generator(model, tokenizer, 2, 128)) {
                Sequence s = g.newSequence(prompt, p, TokenListener.NONE);
                g.admit(s);
                while (!s.isFinished()) g.step(List.of(s), chunk);
                List<TokenLogprobs> got = s.result().promptLogprobs();
                assertEquals(prompt.length - 1, got.size(), "chunk " + chunk);
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(expected[i].chosen().token(), got.get(i).chosen().token());
                    assertEquals(expected[i].chosen().logprob(), got.get(i).chosen().logprob(), 1e-4, "chunk " + chunk + " position " + i);
                    assertThat(got.get(i).top()).hasSize(3);
                    assertEquals(expected[i].top().get(0).token(), got.get(i).top().get(0).token());
                }
            }
        }
    }

    @Test
    void scoringChangesNoTokensOfItsRowOrOfAnother() {
        int[] other = tokenizer.encode("A second prompt, shorter", true);
        SamplingParams plain = SamplingParams.greedy(12).toBuilder().ignoreEos(true).build();
        GenerationResult alone, otherAlone;
        try (Generator g = new Generator(model, tokenizer, 2, 128)) {
            alone = g.generate(prompt, plain, TokenListener.NONE);
            otherAlone = g.generate(other, plain, TokenListener.NONE);
            assertThat(alone.promptLogprobs()).isEmpty();
            Sequence scored = g.newSequence(prompt, plain.toBuilder().promptLogprobs(0).build(), TokenListener.NONE);
            Sequence beside = g.newSequence(other, plain, TokenListener.NONE);
            g.run(List.of(scored, beside));
            assertArrayEquals(alone.tokens(), scored.result().tokens());
            assertArrayEquals(otherAlone.tokens(), beside.result().tokens());
            assertEquals(prompt.length - 1, scored.result().promptLogprobs().size());
            assertThat(beside.result().promptLogprobs()).isEmpty();
        }
    }
}
