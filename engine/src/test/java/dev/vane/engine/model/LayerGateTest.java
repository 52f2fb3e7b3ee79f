package dev.vane.engine.model;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Skipped layers ({@code LAYER_GATE}): the residual passes through unchanged and the skipped
 * layers' keys and values are the projections of that residual, so the next token attends to
 * exactly what a run that computes the layer and discards its update would give it.
 */
class LayerGateTest {

    /** The model under test: the tensor decoder (PyTorch ops, f32) or the Java decoder (f16 kernels on 2 threads). */
    private static CausalLM load(Backend.Kind kind) {
        Path dir = Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 3);
        return kind == Backend.Kind.JAVA ? ModelLoader.load(dir, LoadOptions.java(64, 2))
                : ModelLoader.loadTensor(dir, ComputeDType.F32, 64);
    }

    /** Skips layers ≥ {@code from} for every position of generation steps. */
    private static RowHooks skipFrom(int from) {
        return new RowHooks() {
            @Override public boolean actsAt(HookSite site, StepContext.Row row) { return false; }
            @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {}
            @Override public BitSet skips(int layer, StepContext.Row row) {
                BitSet b = new BitSet();
                if (layer >= from && row.phase() == Phase.GENERATION) b.set(0, row.length());
                return b;
            }
        };
    }

    /** Runs layers ≥ {@code from} but puts the residual back as it entered them (generation steps). */
    private static RowHooks discardFrom(int from) {
        return new RowHooks() {
            float[] entering;
            @Override public boolean actsAt(HookSite site, StepContext.Row row) {
                return row.phase() == Phase.GENERATION && site.layer() >= from
                        && (site.component() == Component.RESID_PRE || site.component() == Component.RESID_POST);
            }
            @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
                if (site.component() == Component.RESID_PRE) entering = Arrays.copyOfRange(x, offset, offset + tokens * width);
                else System.arraycopy(entering, 0, x, offset, entering.length);
            }
        };
    }

    /** {@code inner}'s skips, and a copy of the row's residual entering and leaving layer {@code layer}. */
    private static final class Recording implements RowHooks {
        final RowHooks inner;
        final int layer;
        float[] pre, post;

        Recording(RowHooks inner, int layer) {
            this.inner = inner;
            this.layer = layer;
        }

        @Override public boolean actsAt(HookSite site, StepContext.Row row) {
            return site.layer() == layer && (site.component() == Component.RESID_PRE || site.component() == Component.RESID_POST);
        }

        @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
            float[] copy = Arrays.copyOfRange(x, offset, offset + width); // the row's first position
            if (site.component() == Component.RESID_PRE) pre = copy; else post = copy;
        }

        @Override public BitSet skips(int l, StepContext.Row row) { return inner.skips(l, row); }
    }

    private static float[] step(CausalLM model, KvCache cache, int[] tokens, int start, Phase phase, RowHooks row) {
        StepInput in = new StepInput(new int[][] {tokens}, new int[] {start}, new int[] {0}, new Phase[] {phase},
                new boolean[] {phase == Phase.PROMPT});
        try (NDScope s = new NDScope()) {
            return model.forwardLogits(in, cache, StepHooks.of(List.of(row)), LogitsMode.LAST);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void theNextTokenAttendsToTheProjectedKeysAndValuesOfSkippedLayers(Backend.Kind kind) {
        int[] prompt = {5, 17, 99, 3, 42, 7};
        try (CausalLM model = load(kind);
             KvCache a = model.newCache(1, 64);
             KvCache b = model.newCache(1, 64)) {
            step(model, a, prompt, 0, Phase.PROMPT, RowHooks.NONE);
            step(model, b, prompt, 0, Phase.PROMPT, RowHooks.NONE);
            // the skipped step: layers ≥ 1 skipped (K/V only) vs computed and discarded
            float[] la = step(model, a, new int[] {11}, prompt.length, Phase.GENERATION, skipFrom(1));
            float[] lb = step(model, b, new int[] {11}, prompt.length, Phase.GENERATION, discardFrom(1));
            for (int i = 0; i < la.length; i++) assertThat(la[i]).isCloseTo(lb[i], within(1e-5f));
            // the next token runs every layer and attends over the skipped position's K/V
            float[] na = step(model, a, new int[] {23}, prompt.length + 1, Phase.GENERATION, RowHooks.NONE);
            float[] nb = step(model, b, new int[] {23}, prompt.length + 1, Phase.GENERATION, RowHooks.NONE);
            for (int i = 0; i < na.length; i++) assertThat(na[i]).isCloseTo(nb[i], within(1e-5f));
            // and skipping changed the model's output (the gate really removed the layers)
            try (KvCache c = model.newCache(1, 64)) {
                step(model, c, prompt, 0, Phase.PROMPT, RowHooks.NONE);
                float[] lc = step(model, c, new int[] {11}, prompt.length, Phase.GENERATION, RowHooks.NONE);
                assertThat(lc).isNotEqualTo(la);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void inAMixedBatchOnlyTheSkippingRowKeepsItsResidual(Backend.Kind kind) {
        try (CausalLM model = load(kind);
             KvCache cache = model.newCache(2, 64);
             NDScope s = new NDScope()) {
            StepInput pre = new StepInput(new int[][] {{5, 6, 7}, {8, 9, 10}}, new int[] {0, 0}, new int[] {0, 1},
                    new Phase[] {Phase.PROMPT, Phase.PROMPT}, new boolean[] {true, true});
            model.forwardLogits(pre, cache, StepHooks.NONE, LogitsMode.LAST);
            StepInput dec = new StepInput(new int[][] {{11}, {12}}, new int[] {3, 3}, new int[] {0, 1},
                    new Phase[] {Phase.GENERATION, Phase.GENERATION}, new boolean[] {false, false});
            Recording skipping = new Recording(skipFrom(1), 1), running = new Recording(RowHooks.NONE, 1);
            model.forwardLogits(dec, cache, StepHooks.of(List.of(skipping, running)), LogitsMode.LAST);
            assertThat(skipping.post).containsExactly(skipping.pre);                // row 0 skipped layer 1
            assertThat(running.post).as("row 1 ran layer 1").isNotEqualTo(running.pre);
        }
    }
}
