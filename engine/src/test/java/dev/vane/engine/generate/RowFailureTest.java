package dev.vane.engine.generate;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.Fixtures;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A numerical failure in one row of a batch (its activations turned NaN or huge, its hooks threw)
 * ends that row's sequence alone with an error; the other seven rows give exactly the tokens
 * they give alone, on both decoders, and on the Java decoder (whose rows are bit-exact against
 * their solo runs) exactly the same log-probabilities too.
 */
class RowFailureTest {

    /** The serving decoder (f16 weights, Java kernels) and the tensor decoder (f32). */
    enum Decoder { JAVA, TENSOR }

    private static final String[] TEXTS = {"Once upon a time", "The quick brown fox jumps over", "Hello",
            "A B C D E F G H I J", "Numbers: 1 2 3", "zzz", "What is the capital of", "Tea or coffee?"};
    private static final int BAD = 5;
    private static final SamplingParams GREEDY = SamplingParams.builder().temperature(0).maxTokens(10).ignoreEos(true)
            .logprobs(2).build();
    private static final SamplingParams SAMPLED = SamplingParams.builder().temperature(0.9).topP(0.95).seed(11)
            .maxTokens(10).ignoreEos(true).logprobs(2).build();

    private static Tokenizer tokenizer;
    private static final List<CausalLM> models = new ArrayList<>();
    private static final List<Generator> generators = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Path dir = Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F16, 21);
        tokenizer = Tokenizer.load(dir);
        models.add(ModelLoader.load(dir, LoadOptions.java(256, 2)));
        models.add(ModelLoader.loadTensor(dir, ComputeDType.F32, 256));
        for (CausalLM m : models) generators.add(new Generator(m, tokenizer, 8, 256));
    }

    @AfterAll
    static void tearDown() {
        generators.forEach(Generator::close);
        models.forEach(CausalLM::close);
        tokenizer.close();
    }

    /** Writes {@code value} into every other value at layer 0's {@code site} in generation, from position {@code after} on. */
    private static final class Poison implements RowHooks {
        final Component site;
        final float value;
        final int after;

        Poison(Component site, float value, int after) {
            this.site = site;
            this.value = value;
            this.after = after;
        }

        @Override
        public boolean actsAt(HookSite s, StepContext.Row row) {
            return s.equals(HookSite.of(0, site)) && row.phase() == Phase.GENERATION;
        }

        @Override
        public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
            if (row.start() < after) return;
            for (int i = offset; i < offset + tokens * width; i += 2) x[i] = value;
        }
    }

    /** Throws at layer 1 once generation has reached its {@code after}-th position. */
    private static final class Throwing implements RowHooks {
        final int after;

        Throwing(int after) { this.after = after; }

        @Override
        public boolean actsAt(HookSite site, StepContext.Row row) {
            return site.layer() == 1 && site.component() == Component.MLP_OUT;
        }

        @Override
        public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
            if (row.start() < after) return;
            for (int i = offset; i < offset + tokens * width; i++) x[i] = 3e38f; // half-written, then fails
            throw new IllegalStateException("a bug in an intervention");
        }
    }

    private static Generator generator(Decoder d) {
        return generators.get(d.ordinal());
    }

    private static int[] prompt(int i) {
        return tokenizer.encode(TEXTS[i], true);
    }

    private static GenerationResult solo(Decoder d, int i, SamplingParams p) {
        Sequence s = generator(d).newSequence(prompt(i), p, TokenListener.NONE, RowHooks.NONE);
        generator(d).run(List.of(s));
        return s.result();
    }

    /** Runs the eight rows together, row {@link #BAD} with {@code bad}'s hooks; checks the others against their solo runs. */
    private static GenerationResult batchBeside(Decoder d, SamplingParams p, Supplier<RowHooks> bad) {
        List<GenerationResult> solos = new ArrayList<>();
        for (int i = 0; i < TEXTS.length; i++) solos.add(solo(d, i, p));
        List<Sequence> batch = new ArrayList<>();
        for (int i = 0; i < TEXTS.length; i++)
            batch.add(generator(d).newSequence(prompt(i), p, TokenListener.NONE, i == BAD ? bad.get() : RowHooks.NONE));
        generator(d).run(batch);
        for (int i = 0; i < TEXTS.length; i++) {
            if (i == BAD) continue;
            GenerationResult r = batch.get(i).result();
            assertThat(r.finishReason()).as("row %d", i).isEqualTo(FinishReason.LENGTH);
            assertThat(r.tokens()).as("row %d", i).isEqualTo(solos.get(i).tokens());
            if (d == Decoder.JAVA) assertThat(r.logprobs()).as("row %d", i).isEqualTo(solos.get(i).logprobs());
            assertThat(r.error()).isEmpty();
        }
        return batch.get(BAD).result();
    }

    @ParameterizedTest
    @EnumSource(Decoder.class)
    void aRowWhoseResidualTurnsNaNEndsAloneWithAnError(Decoder d) {
        int after = prompt(BAD).length + 2; // the step feeding generated token 3, sampling token 4
        GenerationResult bad = batchBeside(d, GREEDY, () -> new Poison(Component.RESID_POST, Float.NaN, after));
        assertThat(bad.finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(bad.error()).hasValueSatisfying(m -> assertThat(m).contains("NaN").contains("token 4"));
        assertThat(bad.tokens()).hasSize(3).isEqualTo(java.util.Arrays.copyOf(solo(d, BAD, GREEDY).tokens(), 3));
    }

    /**
     * Huge head outputs reach the output projection's inputs as they are (nothing normalises them
     * first); the other rows' products, and so their sampled tokens and log-probabilities, stay
     * bit for bit. The Java decoder only: the tensor decoder's rows are not bit-exact against
     * their solo runs, so sampling on its near-uniform random model may draw a neighbouring token.
     */
    @Test
    void aRowOfHugeValuesLeavesTheSampledRowsAsAlone() {
        GenerationResult bad = batchBeside(Decoder.JAVA, SAMPLED, () -> new Poison(Component.ATTN_HEADS, 3e38f, 0));
        assertThat(bad.finishReason()).isIn(FinishReason.ERROR, FinishReason.LENGTH); // its own business
    }

    @ParameterizedTest
    @EnumSource(Decoder.class)
    void aRowWhoseHookThrowsEndsAloneWithAnError(Decoder d) {
        GenerationResult bad = batchBeside(d, GREEDY, () -> new Throwing(prompt(BAD).length + 2));
        assertThat(bad.finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(bad.error()).hasValue("an intervention of this sequence failed at mlp_out[1]");
        assertThat(bad.tokens()).hasSize(3);
    }
}
