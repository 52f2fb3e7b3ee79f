package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;

/**
 * The hooks in force for one forward step. The model calls {@link #apply} at every site; an
 * implementation must return {@code x} itself, with no tensor operation, where nothing is
 * registered: that is what makes an unused site free.
 */
public interface ForwardHooks {

    NDArray apply(HookSite site, NDArray x, StepContext ctx);

    /**
     * Whether a hook may read or change {@code site} in this step. A forward path that keeps its
     * tensors outside NDArrays (the Java decode path) builds the site's NDArray only where this
     * is true; {@link #apply} must return {@code x} itself wherever it is false.
     */
    default boolean actsAt(HookSite site, StepContext ctx) { return true; }

    /**
     * Which positions skip layer {@code layer} in this step ({@code LAYER_GATE}), asked after the
     * layer's {@code RESID_PRE} site.
     */
    default LayerGate gate(int layer, StepContext ctx) { return LayerGate.RUN; }

    /** No hooks anywhere. */
    ForwardHooks NONE = new ForwardHooks() {
        @Override public NDArray apply(HookSite site, NDArray x, StepContext ctx) { return x; }
        @Override public boolean actsAt(HookSite site, StepContext ctx) { return false; }
        @Override public String toString() { return "ForwardHooks.NONE"; }
    };
}
