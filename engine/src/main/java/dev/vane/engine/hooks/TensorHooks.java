package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;

/**
 * Hooks on the tensor decoder's NDArrays, for offline work only (activation harvesting, head
 * selection, training through autograd); serving hooks are {@link RowHooks} on arrays. The
 * tensor decoder calls {@link #apply} at every site where {@link #actsAt} is true, before the
 * step's {@link StepHooks}; an implementation must return {@code x} itself where nothing is
 * registered.
 */
public interface TensorHooks {

    NDArray apply(HookSite site, NDArray x, StepContext ctx);

    /** Whether a hook may read or change {@code site} in this step. */
    default boolean actsAt(HookSite site, StepContext ctx) { return true; }

    /** No hooks anywhere. */
    TensorHooks NONE = new TensorHooks() {
        @Override public NDArray apply(HookSite site, NDArray x, StepContext ctx) { return x; }
        @Override public boolean actsAt(HookSite site, StepContext ctx) { return false; }
        @Override public String toString() { return "TensorHooks.NONE"; }
    };
}
