package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;

/**
 * The hooks in force for one forward step. The model calls {@link #apply} at every site; an
 * implementation must return {@code x} itself, with no tensor operation, where nothing is
 * registered: that is what makes an unused site free.
 */
public interface ForwardHooks {

    NDArray apply(HookSite site, NDArray x, StepContext ctx);

    /** No hooks anywhere. */
    ForwardHooks NONE = (site, x, ctx) -> x;
}
