/**
 * G-ACT, probe-selected steering (arXiv 2506.18887), as served: per layer a softmax probe
 * ({@link dev.vane.steering.gact.SoftmaxProbe}) picks one of k steering directions for each
 * position ({@link dev.vane.steering.gact.GactSelector}); {@link dev.vane.steering.gact.GactWeights}
 * is the named-tensor artifact form. Fitting (k-means, probes, the ACT baseline) lives in the lab
 * module ({@code dev.vane.lab.gact}).
 *
 * <p>Shape letters: L layers, D hidden size, k clusters (steering directions per layer).
 */
package dev.vane.steering.gact;
