/**
 * The steering controller of "Guiding Giants" (weighted activation steering, arXiv 2505.20309;
 * methods.md §1): a small MLP that reads the last four blocks' outputs at the last prompt token
 * and decides how strongly, and at which layers, to add a refusal direction.
 *
 * <p>Shape letters: B rows, D hidden size, L layers of the steered model, H controller width.
 *
 * <ul>
 *   <li>{@link dev.vane.steering.controller.RefusalDirection}: the direction {@code d̂}, from
 *       embedding centroids (released code) or activation means (standard).</li>
 *   <li>{@link dev.vane.steering.controller.ControllerNet}: the MLP, differentiable on NDArrays and
 *       plain Java for the engine thread; {@link dev.vane.steering.controller.ControllerTrainer}
 *       trains it on cached activations with {@link dev.vane.steering.controller.ControllerLoss}.</li>
 *   <li>{@link dev.vane.steering.controller.ControllerWeights}: the named-tensor export.</li>
 * </ul>
 */
package dev.vane.steering.controller;
