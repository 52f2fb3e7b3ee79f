package dev.vane.engine.generate;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-row hooks through the generator: rows of a batch act alone, replay, release. */
class RowHooksTest {

    private static CausalLM model;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static final SamplingParams GREEDY = SamplingParams.builder().temperature(0).maxTokens(12).ignoreEos(true).build();

    @BeforeAll
    static void setUp() throws Exception {
        Path dir = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 7);
        model = ModelLoader.loadTensor(dir, ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(dir);
        generator = new Generator(model, tokenizer, 8, 256);
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        tokenizer.close();
        model.close();
    }

    /** Adds {@code scale} to every hidden unit of the residual leaving {@code layer}, at every real position. */
    private static final class Shift implements RowHooks {
        final int layer;
        final float scale;
        final PromptReplay replay;
        final AtomicInteger closed = new AtomicInteger();
        final List<StepContext.Row> seen = new ArrayList<>();

        Shift(int layer, float scale, PromptReplay replay) {
            this.layer = layer;
            this.scale = scale;
            this.replay = replay;
        }

        @Override
        public boolean actsAt(HookSite site, StepContext.Row row) {
            return scale != 0 && site.equals(HookSite.of(layer, Component.RESID_POST));
        }

        @Override
        public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
            assertThat(offset % (tokens * width)).isZero(); // one row's whole slice
            assertThat(row.length()).isBetween(1, tokens);
            seen.add(row);
            for (int i = offset; i < offset + tokens * width; i++) x[i] += scale;
        }

        @Override
        public PromptReplay promptReplay() { return replay; }

        @Override
        public void close() { closed.incrementAndGet(); }
    }

    private int[] prompt(String text) { return tokenizer.encode(text, true); }

    private int[] solo(int[] prompt, RowHooks hooks) {
        Sequence s = generator.newSequence(prompt, GREEDY, TokenListener.NONE, hooks);
        generator.run(List.of(s));
        return s.result().tokens();
    }

    @Test
    void aRowHookChangesItsRowAndOnlyItsRow() {
        int[] p = prompt("The quick brown fox jumps over");
        int[] base = solo(p, RowHooks.NONE);
        int[] shifted = solo(p, new Shift(0, 3f, PromptReplay.NONE));
        assertThat(shifted).isNotEqualTo(base);
    }

    @Test
    void mixedRowsInOneBatchEqualTheirSoloRuns() {
        String[] texts = {"Once upon a time", "The quick brown fox jumps over", "Hello", "A B C D E F G H I J",
                "Numbers: 1 2 3", "zzz", "What is the capital of", "Tea or coffee?"};
        List<int[]> solos = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) solos.add(solo(prompt(texts[i]), hooksFor(i)));
        List<Sequence> batch = new ArrayList<>();
        for (int i = 0; i < texts.length; i++)
            batch.add(generator.newSequence(prompt(texts[i]), GREEDY, TokenListener.NONE, hooksFor(i)));
        generator.run(batch);
        for (int i = 0; i < texts.length; i++)
            assertThat(batch.get(i).result().tokens()).as("row %d", i).isEqualTo(solos.get(i));
    }

    private static RowHooks hooksFor(int i) {
        return switch (i % 5) {
            case 0 -> RowHooks.NONE;
            case 1 -> new Shift(0, 2f, PromptReplay.NONE);
            case 2 -> new Shift(1, -2f, PromptReplay.NONE);
            case 3 -> new Shift(0, 1f, PromptReplay.LAST_TOKEN);
            default -> new Shift(1, 1f, PromptReplay.WHOLE_PROMPT);
        };
    }

    @Test
    void replayingTheLastPromptTokenWithoutEffectChangesNothing() {
        int[] p = prompt("The quick brown fox jumps over");
        Shift noop = new Shift(0, 0f, PromptReplay.LAST_TOKEN);
        assertThat(solo(p, noop)).isEqualTo(solo(p, RowHooks.NONE));
    }

    @Test
    void theReplayStepFeedsTheLastPromptTokenAtItsPositionAgain() {
        int[] p = prompt("The quick brown fox jumps over");
        Shift s = new Shift(0, 1f, PromptReplay.LAST_TOKEN);
        solo(p, s);
        // first pass: the whole prompt; replay: the last prompt token alone at position P-1; then decode steps
        assertThat(s.seen.get(0).length()).isEqualTo(p.length);
        assertThat(s.seen.get(1).start()).isEqualTo(p.length - 1);
        assertThat(s.seen.get(1).length()).isEqualTo(1);
        assertThat(s.seen.get(1).lastOfPrompt()).isTrue();
        assertThat(s.seen.get(2).start()).isEqualTo(p.length);
        assertThat(s.seen).hasSize(1 + GREEDY.maxTokens());
    }

    @Test
    void replayingTheWholePromptWithoutEffectChangesNothing() {
        int[] p = prompt("The quick brown fox jumps over");
        assertThat(solo(p, new Shift(0, 0f, PromptReplay.WHOLE_PROMPT))).isEqualTo(solo(p, RowHooks.NONE));
    }

    @Test
    void theWholePromptReplayFeedsThePromptFromPositionZeroAgain() {
        int[] p = prompt("The quick brown fox jumps over");
        Shift s = new Shift(0, 1f, PromptReplay.WHOLE_PROMPT);
        int[] out = solo(p, s);
        // first pass: the whole prompt, no sample; second pass: the whole prompt again, sampled; then decode steps
        for (int pass = 0; pass < 2; pass++) {
            assertThat(s.seen.get(pass).start()).isZero();
            assertThat(s.seen.get(pass).length()).isEqualTo(p.length);
            assertThat(s.seen.get(pass).lastOfPrompt()).isTrue();
        }
        assertThat(s.seen.get(2).start()).isEqualTo(p.length);
        assertThat(s.seen).hasSize(2 + GREEDY.maxTokens() - 1);
        // the second pass overwrote the first pass's cache entries: decoding equals one shifted pass with no replay
        assertThat(out).isEqualTo(solo(p, new Shift(0, 1f, PromptReplay.NONE)));
        assertThat(PromptReplay.LAST_TOKEN.max(PromptReplay.WHOLE_PROMPT)).isEqualTo(PromptReplay.WHOLE_PROMPT);
        assertThat(PromptReplay.LAST_TOKEN.max(PromptReplay.NONE)).isEqualTo(PromptReplay.LAST_TOKEN);
    }

    @Test
    void batchHooksSayWhereSomeRowActs() {
        var gen = dev.vane.engine.hooks.Phase.GENERATION;
        StepContext ctx = new StepContext(List.of(new StepContext.Row(5, 1, gen, false), new StepContext.Row(9, 1, gen, false)), 1);
        var hooks = dev.vane.engine.hooks.StepHooks.of(
                List.of(RowHooks.NONE, new Shift(0, 1f, PromptReplay.NONE)));
        assertThat(hooks.actsAt(HookSite.of(0, Component.RESID_POST), ctx)).isTrue();
        assertThat(hooks.actsAt(HookSite.of(1, Component.RESID_POST), ctx)).isFalse();
        assertThat(hooks.actsAt(HookSite.of(0, Component.MLP_OUT), ctx)).isFalse();
        assertThat(dev.vane.engine.hooks.StepHooks.of(List.of(RowHooks.NONE)))
                .isSameAs(dev.vane.engine.hooks.StepHooks.NONE);
    }

    @Test
    void rowHooksAreClosedOnceWhenTheSequenceLeaves() {
        Shift s = new Shift(0, 1f, PromptReplay.NONE);
        solo(prompt("Hello there"), s);
        assertThat(s.closed.get()).isEqualTo(1);
    }
}
