package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

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

    /**
     * The in-place form of {@link #apply} for a path that keeps the site's values in a Java array
     * (the Java decode path): either does everything {@link #apply} would do to {@code data} (the
     * site's f32 values, row-major in {@code shape}) and returns true, or changes nothing and
     * returns false, and the path then calls {@link #apply} on an NDArray copy. Asked only where
     * {@link #actsAt} is true. It saves the copy into and out of an NDArray and the tensor ops,
     * which at batch 1 cost more than the step's own work at the site.
     */
    default boolean applyInPlace(HookSite site, float[] data, Shape shape, StepContext ctx) { return false; }

    /** No hooks anywhere. */
    ForwardHooks NONE = new ForwardHooks() {
        @Override public NDArray apply(HookSite site, NDArray x, StepContext ctx) { return x; }
        @Override public boolean actsAt(HookSite site, StepContext ctx) { return false; }
        @Override public String toString() { return "ForwardHooks.NONE"; }
    };
}
