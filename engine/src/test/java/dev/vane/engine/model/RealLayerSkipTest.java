package dev.vane.engine.model;

import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The serving decoder leaves skipped positions out of a layer's products: in a batch where some
 * rows skip a layer, that layer's attention, output projection and MLP run for the other rows
 * only ({@link JavaDecoder#positionLayersRun} counts the rows handed to the MLP products), every
 * row still gives the bits it gives alone, and the hooks hear exactly which positions were left
 * out ({@link RowHooks#ran}).
 */
class RealLayerSkipTest {

    private static final int LAYERS = Preset.TINY_LLAMA.config().numLayers();

    private static JavaDecoder load() {
        return (JavaDecoder) ModelLoader.load(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 5), LoadOptions.java(64, 2));
    }

    /** Skips layer l at absolute position p where {@code rule(p, l)}; records what the decoder reports it left out. */
    private static final class Skipper implements RowHooks {
        final BiPredicate<Integer, Integer> rule;
        final List<String> reported = new ArrayList<>(); // "layer@position" left out, in order

        Skipper(BiPredicate<Integer, Integer> rule) {
            this.rule = rule;
        }

        @Override public boolean actsAt(HookSite site, StepContext.Row row) { return false; }
        @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {}

        @Override public BitSet skips(int layer, StepContext.Row row) {
            BitSet b = new BitSet();
            for (int t = 0; t < row.length(); t++) if (rule.test(row.start() + t, layer)) b.set(t);
            return b;
        }

        @Override public void ran(int layer, BitSet skipped, StepContext.Row row) {
            skipped.stream().forEach(t -> reported.add(layer + "@" + (row.start() + t)));
        }
    }

    private static final BiPredicate<Integer, Integer> NEVER = (p, l) -> false;

    private static float[] decode(JavaDecoder model, KvCache cache, int[][] tokens, int[] start, List<RowHooks> rows) {
        int b = tokens.length;
        Phase[] phase = new Phase[b];
        Arrays.fill(phase, Phase.GENERATION);
        int[] slot = new int[b];
        for (int r = 0; r < b; r++) slot[r] = r;
        return model.forwardLogits(new StepInput(tokens, start, slot, phase, new boolean[b]), cache, StepHooks.of(rows), LogitsMode.LAST);
    }

    private static int[] prompt(int r) {
        return new int[] {3 + r, 40 + 7 * r, 100 + r, 9, 250 - r};
    }

    @Test
    void aDecodeBatchRunsASkippedLayerForTheOtherRowsOnlyAndEveryRowEqualsItsSoloRun() {
        int rows = 8, vocab = Preset.TINY_LLAMA.config().vocabSize();
        // even rows skip layer 1 at every generated position; odd rows run every layer
        BiPredicate<Integer, Integer> skipLayer1 = (p, l) -> l == 1;
        try (JavaDecoder model = load();
             KvCache batch = model.newCache(rows, 64);
             KvCache solo = model.newCache(1, 64)) {
            int[][] prompts = new int[rows][];
            for (int r = 0; r < rows; r++) prompts[r] = prompt(r);
            Phase[] pp = new Phase[rows];
            Arrays.fill(pp, Phase.PROMPT);
            int[] zeros = new int[rows], slots = new int[rows];
            boolean[] last = new boolean[rows];
            Arrays.fill(last, true);
            for (int r = 0; r < rows; r++) slots[r] = r;
            model.forwardLogits(new StepInput(prompts, zeros, slots, pp, last), batch, StepHooks.NONE, LogitsMode.LAST);

            List<Skipper> skippers = new ArrayList<>();
            for (int r = 0; r < rows; r++) skippers.add(new Skipper(r % 2 == 0 ? skipLayer1 : NEVER));
            int[][] next = new int[rows][];
            int[] start = new int[rows];
            for (int r = 0; r < rows; r++) {
                next[r] = new int[] {17 + r};
                start[r] = prompts[r].length;
            }
            long before = model.positionLayersRun();
            float[] logits = decode(model, batch, next, start, List.copyOf(skippers));
            assertThat(model.positionLayersRun() - before).as("rows through the MLP products: every layer for 8 rows, less 4 at layer 1")
                    .isEqualTo((long) rows * LAYERS - rows / 2);
            for (int r = 0; r < rows; r++)
                assertThat(skippers.get(r).reported).as("row %d's reported skips", r)
                        .isEqualTo(r % 2 == 0 ? List.of("1@" + start[r]) : List.of());

            for (int r = 0; r < rows; r++) {
                StepInput pre = new StepInput(new int[][] {prompts[r]}, new int[] {0}, new int[] {0}, new Phase[] {Phase.PROMPT}, new boolean[] {true});
                model.forwardLogits(pre, solo, StepHooks.NONE, LogitsMode.LAST);
                Skipper alone = new Skipper(r % 2 == 0 ? skipLayer1 : NEVER);
                long b0 = model.positionLayersRun();
                float[] one = model.forwardLogits(new StepInput(new int[][] {next[r]}, new int[] {start[r]}, new int[] {0},
                        new Phase[] {Phase.GENERATION}, new boolean[] {false}), solo, StepHooks.of(List.of(alone)), LogitsMode.LAST);
                assertThat(model.positionLayersRun() - b0).isEqualTo(r % 2 == 0 ? LAYERS - 1 : LAYERS);
                assertThat(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab)).as("row %d in the batch vs alone", r)
                        .containsExactly(Arrays.copyOf(one, vocab));
            }
            // the skip changed the skipping rows' output: the layer really was left out
            float[] plain = decodeAgain(model, prompts, next, start);
            assertThat(Arrays.copyOfRange(plain, 0, vocab)).isNotEqualTo(Arrays.copyOfRange(logits, 0, vocab));
            assertThat(Arrays.copyOfRange(plain, vocab, 2 * vocab)).containsExactly(Arrays.copyOfRange(logits, vocab, 2 * vocab));
        }
    }

    /** The same prompts and next tokens with no skips, on a fresh cache. */
    private static float[] decodeAgain(JavaDecoder model, int[][] prompts, int[][] next, int[] start) {
        int rows = prompts.length;
        try (KvCache cache = model.newCache(rows, 64)) {
            Phase[] pp = new Phase[rows];
            Arrays.fill(pp, Phase.PROMPT);
            int[] slots = new int[rows];
            boolean[] last = new boolean[rows];
            Arrays.fill(last, true);
            for (int r = 0; r < rows; r++) slots[r] = r;
            model.forwardLogits(new StepInput(prompts, new int[rows], slots, pp, last), cache, StepHooks.NONE, LogitsMode.LAST);
            return decode(model, cache, next, start, java.util.Collections.nCopies(rows, RowHooks.NONE));
        }
    }

    @Test
    void aPrefillWithPerPositionSkipsEqualsTokenByTokenDecodeWithTheSameDecisions() {
        int[] tokens = {5, 17, 99, 3, 42, 7, 61, 200, 11};
        BiPredicate<Integer, Integer> rule = (p, l) -> (p + 2 * l) % 3 == 0; // a mix of positions per layer, layer 0 included
        int vocab = Preset.TINY_LLAMA.config().vocabSize();
        try (JavaDecoder model = load();
             KvCache prefill = model.newCache(1, 64);
             KvCache stepwise = model.newCache(1, 64)) {
            Skipper inPrefill = new Skipper(rule), inDecode = new Skipper(rule);
            long before = model.positionLayersRun();
            float[] all = model.forwardLogits(new StepInput(new int[][] {tokens}, new int[] {0}, new int[] {0}, new Phase[] {Phase.PROMPT},
                    new boolean[] {true}), prefill, StepHooks.of(List.of(inPrefill)), LogitsMode.ALL);
            long skipped = 0;
            for (int p = 0; p < tokens.length; p++) for (int l = 0; l < LAYERS; l++) if (rule.test(p, l)) skipped++;
            assertThat(skipped).isPositive();
            assertThat(model.positionLayersRun() - before).isEqualTo((long) tokens.length * LAYERS - skipped);
            for (int p = 0; p < tokens.length; p++) {
                float[] one = model.forwardLogits(new StepInput(new int[][] {{tokens[p]}}, new int[] {p}, new int[] {0},
                        new Phase[] {Phase.PROMPT}, new boolean[] {p == tokens.length - 1}), stepwise, StepHooks.of(List.of(inDecode)), LogitsMode.LAST);
                assertThat(Arrays.copyOf(one, vocab)).as("position %d", p).containsExactly(Arrays.copyOfRange(all, p * vocab, (p + 1) * vocab));
            }
            assertThat(inPrefill.reported).hasSize((int) skipped);
            assertThat(inPrefill.reported).containsExactlyInAnyOrderElementsOf(inDecode.reported);
        }
    }
}
