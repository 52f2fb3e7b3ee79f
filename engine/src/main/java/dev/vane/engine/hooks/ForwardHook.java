package dev.vane.engine.hooks;

import ai.djl.ndarray.NDArray;

/**
 * Reads or rewrites the tensor at one hook site of the tensor decoder (offline work, see
 * {@link TensorHooks}). Returning {@code x} itself means "read only"; returning a new array
 * replaces the tensor downstream. Temporaries belong to the step's scope.
 */
@FunctionalInterface
public interface ForwardHook {
    NDArray apply(HookSite site, NDArray x, StepContext ctx);
}
