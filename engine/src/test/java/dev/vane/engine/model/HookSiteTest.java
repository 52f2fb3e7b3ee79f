package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HookSiteTest {

    private static final int[] PROMPT = {1, 17, 250, 3, 99};

    /** Wraps a registry and checks, at every site, that an empty site hands back the very same array. */
    private static final class IdentityCheck implements TensorHooks {
        final HookRegistry registry;
        final List<HookSite> visited = new ArrayList<>();

        IdentityCheck(HookRegistry registry) { this.registry = registry; }

        @Override
        public NDArray apply(HookSite site, NDArray x, StepContext ctx) {
            visited.add(site);
            NDArray out = registry.apply(site, x, ctx);
            if (registry.isEmpty(site)) assertSame(x, out, "empty site " + site + " must not create an array");
            return out;
        }
    }

    @Test
    void emptySitesAreFreeAndEverySiteIsVisited() {
        try (TensorDecoder model = ModelLoader.loadTensor(Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 5), ComputeDType.F32, 32);
             NDScope scope = new NDScope()) {
            IdentityCheck check = new IdentityCheck(new HookRegistry(model.config().numLayers()));
            float[] hooked = model.forward(StepInput.prompt(PROMPT, 0), check, LogitsMode.LAST).toFloatArray();
            float[] plain = model.forward(StepInput.prompt(PROMPT, 0), TensorHooks.NONE, LogitsMode.LAST).toFloatArray();
            assertArrayEquals(plain, hooked, 0f, "an empty registry gives bit-identical logits");
            int layers = model.config().numLayers();
            assertEquals(layers * 5 + 1, check.visited.size());
            for (int l = 0; l < layers; l++)
                for (Component c : List.of(Component.RESID_PRE, Component.ATTN_HEADS, Component.ATTN_OUT,
                        Component.MLP_OUT, Component.RESID_POST))
                    assertTrue(check.visited.contains(HookSite.of(l, c)), "site " + c + " of layer " + l);
        }
    }

    @Test
    void hookSeesShapesAndRowContextAndIsRemovedOnClose() {
        try (TensorDecoder model = ModelLoader.loadTensor(Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 5), ComputeDType.F32, 32);
             NDScope scope = new NDScope()) {
            HookRegistry registry = new HookRegistry(model.config().numLayers());
            List<String> seen = new ArrayList<>();
            float[] plain = model.forward(StepInput.prompt(PROMPT, 0), registry, LogitsMode.LAST).toFloatArray();
            try (var h = registry.add(HookSite.of(1, Component.ATTN_HEADS), (site, x, ctx) -> {
                seen.add(x.getShape() + " rows=" + ctx.batchSize() + " last=" + ctx.rows().get(0).lastPosition());
                return x.mul(0.5f);
            })) {
                float[] changed = model.forward(StepInput.prompt(PROMPT, 0), registry, LogitsMode.LAST).toFloatArray();
                assertTrue(maxDiff(plain, changed) > 1e-3, "a rewriting hook changes the logits");
            }
            assertEquals(List.of("(1, 5, 4, 32) rows=1 last=4"), seen);
            float[] after = model.forward(StepInput.prompt(PROMPT, 0), registry, LogitsMode.LAST).toFloatArray();
            assertArrayEquals(plain, after, 0f, "closing the handle removes the hook");
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
