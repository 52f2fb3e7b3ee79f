package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Hooks attached by site, applied in registration order. Lookup is an array index, so a site
 * without hooks costs one array read and no tensor operation.
 *
 * <pre>{@code
 * try (HookHandle h = registry.add(HookSite.of(3, RESID_POST), (s, x, ctx) -> x.add(v))) {
 *     model.forward(...);
 * } // the hook is removed here
 * }</pre>
 */
public final class HookRegistry implements TensorHooks {

    private static final int COMPONENTS = Component.values().length;

    private final int numLayers;
    private final List<List<ForwardHook>> sites; // index: (layer + 1) * COMPONENTS + component

    public HookRegistry(int numLayers) {
        this.numLayers = numLayers;
        int n = (numLayers + 1) * COMPONENTS;
        this.sites = new ArrayList<>(n);
        for (int i = 0; i < n; i++) sites.add(new CopyOnWriteArrayList<>());
    }

    private int index(HookSite site) {
        if (site.layer() >= numLayers)
            throw new IllegalArgumentException("hook site " + site + " beyond the model's " + numLayers + " layers");
        return (site.layer() + 1) * COMPONENTS + site.component().ordinal();
    }

    /** Attaches a hook; closing the handle detaches it. */
    public HookHandle add(HookSite site, ForwardHook hook) {
        List<ForwardHook> list = sites.get(index(site));
        list.add(hook);
        return () -> list.remove(hook);
    }

    public boolean isEmpty(HookSite site) {
        return sites.get(index(site)).isEmpty();
    }

    @Override
    public boolean actsAt(HookSite site, StepContext ctx) {
        return !isEmpty(site);
    }

    @Override
    public NDArray apply(HookSite site, NDArray x, StepContext ctx) {
        List<ForwardHook> list = sites.get(index(site));
        if (list.isEmpty()) return x;
        NDArray out = x;
        for (ForwardHook h : list) out = h.apply(site, out, ctx);
        return out;
    }

    /** Removes its hook on close. */
    @FunctionalInterface
    public interface HookHandle extends AutoCloseable {
        @Override
        void close();
    }
}
