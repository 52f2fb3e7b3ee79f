/**
 * G-ACT, probe-selected steering (arXiv 2506.18887; methods.md §2), and its ACT baseline
 * (arXiv 2406.00034): the numerical methods and their fitting, independent of hook sites and
 * artifact files.
 *
 * <p>Shape letters: N prompts, L layers, D hidden size, k clusters (steering directions per layer).
 *
 * <ul>
 *   <li>{@link dev.vane.steering.gact.GactFit} fits per-layer directions and probes from paired
 *       activation caches and reports held-out probe accuracy; {@link dev.vane.steering.gact.ActBaseline}
 *       fits the comparison and {@link dev.vane.steering.gact.ProbeComparison} prints the table.</li>
 *   <li>{@link dev.vane.steering.gact.GactSelector} is the per-row inference step;
 *       {@link dev.vane.steering.gact.GactWeights} the named-tensor export.</li>
 *   <li>{@link dev.vane.steering.gact.KMeans} and {@link dev.vane.steering.gact.SoftmaxProbe} are the
 *       building blocks, plain Java.</li>
 * </ul>
 */
package dev.vane.steering.gact;
