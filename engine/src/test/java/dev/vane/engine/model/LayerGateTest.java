package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.BatchHooks;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.ForwardHooks;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    private static CausalLM model;
    private static int layers;

    @BeforeAll
    static void setUp() {
        var c = Preset.TINY_LLAMA.config();
        model = ModelLoader.load(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 3), ComputeDType.F32, 64);
        layers = c.numLayers();
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    /** Skips layers ≥ {@code from} for every position of generation steps. */
    private static RowHooks skipFrom(int from) {
        return new RowHooks() {
            @Override public boolean actsAt(HookSite site, StepContext.Row row) { return false; }
            @Override public NDArray apply(HookSite site, NDArray x, StepContext.Row row) { return x; }
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
            NDArray entering;
            @Override public boolean actsAt(HookSite site, StepContext.Row row) {
                return row.phase() == Phase.GENERATION && site.layer() >= from
                        && (site.component() == Component.RESID_PRE || site.component() == Component.RESID_POST);
            }
            @Override public NDArray apply(HookSite site, NDArray x, StepContext.Row row) {
                if (site.component() == Component.RESID_PRE) {
                    entering = x;
                    return x;
                }
                return entering;
            }
        };
    }

    private static float[] step(KvCache cache, int[] tokens, int start, Phase phase, RowHooks row, float[][] residualOut) {
        StepInput in = new StepInput(new int[][] {tokens}, new int[] {start}, new int[] {0}, new Phase[] {phase},
                new boolean[] {phase == Phase.PROMPT});
        dev.vane.engine.hooks.HookRegistry reg = new dev.vane.engine.hooks.HookRegistry(layers);
        try (var h = reg.add(HookSite.of(layers - 1, Component.RESID_POST), (s, x, c) -> {
            residualOut[0] = x.toFloatArray();
            return x;
        }); NDScope s = new NDScope()) {
            return model.forward(in, cache, BatchHooks.of(reg, List.of(row)), LogitsMode.LAST).toFloatArray();
        }
    }

    @Test
    void theNextTokenAttendsToTheProjectedKeysAndValuesOfSkippedLayers() {
        int[] prompt = {5, 17, 99, 3, 42, 7};
        try (KvCache a = new KvCache(model.config(), 1, 64, model.manager());
             KvCache b = new KvCache(model.config(), 1, 64, model.manager())) {
            float[][] ra = new float[1][], rb = new float[1][];
            step(a, prompt, 0, Phase.PROMPT, RowHooks.NONE, ra);
            step(b, prompt, 0, Phase.PROMPT, RowHooks.NONE, rb);
            // the skipped step: layers ≥ 1 skipped (K/V only) vs computed and discarded
            float[] la = step(a, new int[] {11}, prompt.length, Phase.GENERATION, skipFrom(1), ra);
            float[] lb = step(b, new int[] {11}, prompt.length, Phase.GENERATION, discardFrom(1), rb);
            // (the global hook reads RESID_POST before the discarding row hook, so compare logits, which see the final residual)
            for (int i = 0; i < la.length; i++) assertThat(la[i]).isCloseTo(lb[i], within(1e-5f));
            // the next token runs every layer and attends over the skipped position's K/V
            float[] na = step(a, new int[] {23}, prompt.length + 1, Phase.GENERATION, RowHooks.NONE, ra);
            float[] nb = step(b, new int[] {23}, prompt.length + 1, Phase.GENERATION, RowHooks.NONE, rb);
            for (int i = 0; i < na.length; i++) assertThat(na[i]).isCloseTo(nb[i], within(1e-5f));
            // and skipping changed the model's output (the gate really removed the layers)
            try (KvCache c = new KvCache(model.config(), 1, 64, model.manager())) {
                float[][] rc = new float[1][];
                step(c, prompt, 0, Phase.PROMPT, RowHooks.NONE, rc);
                float[] lc = step(c, new int[] {11}, prompt.length, Phase.GENERATION, RowHooks.NONE, rc);
                assertThat(lc).isNotEqualTo(la);
            }
        }
    }

    @Test
    void inAMixedBatchOnlyTheSkippingRowKeepsItsResidual() {
        try (KvCache cache = new KvCache(model.config(), 2, 64, model.manager());
             NDScope s = new NDScope()) {
            StepInput pre = new StepInput(new int[][] {{5, 6, 7}, {8, 9, 10}}, new int[] {0, 0}, new int[] {0, 1},
                    new Phase[] {Phase.PROMPT, Phase.PROMPT}, new boolean[] {true, true});
            model.forward(pre, cache, ForwardHooks.NONE, LogitsMode.LAST);
            StepInput dec = new StepInput(new int[][] {{11}, {12}}, new int[] {3, 3}, new int[] {0, 1},
                    new Phase[] {Phase.GENERATION, Phase.GENERATION}, new boolean[] {false, false});
            float[][] pre1 = new float[1][], post = new float[1][];
            dev.vane.engine.hooks.HookRegistry reg = new dev.vane.engine.hooks.HookRegistry(layers);
            reg.add(HookSite.of(1, Component.RESID_PRE), (st, x, c) -> { pre1[0] = x.toFloatArray(); return x; });
            reg.add(HookSite.of(1, Component.RESID_POST), (st, x, c) -> { post[0] = x.toFloatArray(); return x; });
            model.forward(dec, cache, BatchHooks.of(reg, List.of(skipFrom(1), RowHooks.NONE)), LogitsMode.LAST);
            int d = model.config().hiddenSize();
            for (int i = 0; i < d; i++) assertThat(post[0][i]).isEqualTo(pre1[0][i]);       // row 0 skipped layer 1
            boolean changed = false;
            for (int i = d; i < 2 * d; i++) changed |= post[0][i] != pre1[0][i];
            assertThat(changed).as("row 1 ran layer 1").isTrue();
        }
    }
}
