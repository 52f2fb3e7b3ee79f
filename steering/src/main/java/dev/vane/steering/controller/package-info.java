/**
 * The steering controller of "Guiding Giants" (weighted activation steering, arXiv 2505.20309):
 * a small MLP that reads the last four blocks' outputs at the last prompt token and decides how
 * strongly, and at which layers, to add a refusal direction. This package holds what serving
 * needs: the direction {@link dev.vane.steering.controller.RefusalDirection}, the named-tensor
 * artifact form {@link dev.vane.steering.controller.ControllerWeights} and its plain-Java forward
 * {@link dev.vane.steering.controller.Mlp}. Training lives in the lab module
 * ({@code dev.vane.lab.controller}).
 *
 * <p>Shape letters: D hidden size, L layers of the steered model, H controller width.
 */
package dev.vane.steering.controller;
