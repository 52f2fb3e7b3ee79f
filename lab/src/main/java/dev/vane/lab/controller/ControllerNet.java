package dev.vane.lab.controller;

import dev.vane.steering.controller.ControllerOutput;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.controller.Mlp;

import dev.vane.steering.controller.RefusalDirection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

import java.util.SplittableRandom;

/**
 * The steering controller of "Guiding Giants" (arXiv 2505.20309; methods.md §1): an MLP
 * {@code 4D → H (ReLU) → 1 + L} reading the last four blocks' outputs at the last prompt token
 * and emitting a global scale logit {@code s} and per-layer weights {@code w = sigmoid(z)}.
 * The paper uses {@code H = 1024}.
 *
 * <p>Shapes: B rows, D hidden size, L layers of the steered model, H controller width.
 *
 * <p>Two forwards over the same parameters: {@link #forward} on NDArrays (differentiable, for
 * training) and {@link #evaluate} in plain Java (for the engine thread, no autograd, no native
 * memory). The plain-Java weights are a snapshot refreshed lazily after the parameters change;
 * evaluate a net only after training has finished.
 *
 * <p>The net owns its parameters in its own manager; close it to free them.
 */
public final class ControllerNet implements AutoCloseable {

    /** The paper's hidden width. */
    public static final int PAPER_WIDTH = 1024;

    /** A differentiable forward: {@code s [B]}, {@code z [B, L]} logits, {@code w = sigmoid(z) [B, L]}. */
    public record Forward(NDArray s, NDArray z, NDArray w) {}

    private final int hiddenSize; // D
    private final int layers;     // L
    private final int width;      // H
    private final NDManager manager;
    private final NDArray fc1Weight; // [H, 4D]
    private final NDArray fc1Bias;   // [H]
    private final NDArray fc2Weight; // [1+L, H]
    private final NDArray fc2Bias;   // [1+L]
    private volatile Mlp snapshot;

    private ControllerNet(int hiddenSize, int layers, int width, float[] w1, float[] b1, float[] w2, float[] b2) {
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.width = width;
        this.manager = NDManager.newBaseManager();
        this.fc1Weight = manager.create(w1, new Shape(width, ControllerWeights.FEATURE_BLOCKS * (long) hiddenSize));
        this.fc1Bias = manager.create(b1, new Shape(width));
        this.fc2Weight = manager.create(w2, new Shape(1 + layers, width));
        this.fc2Bias = manager.create(b2, new Shape(1 + layers));
    }

    /**
     * A freshly initialised controller, PyTorch {@code nn.Linear} style: every weight and bias
     * uniform in {@code ±1/sqrt(fan_in)}, drawn from a seeded generator.
     *
     * @param hiddenSize D of the steered model
     * @param layers     L of the steered model
     * @param width      H ({@link #PAPER_WIDTH} in the paper; smaller in tests)
     */
    public static ControllerNet init(int hiddenSize, int layers, int width, long seed) {
        ControllerWeights.checkDims(hiddenSize, layers, width);
        SplittableRandom rng = new SplittableRandom(seed);
        int in = ControllerWeights.FEATURE_BLOCKS * hiddenSize;
        return new ControllerNet(hiddenSize, layers, width,
                uniform(rng, width * in, in), uniform(rng, width, in),
                uniform(rng, (1 + layers) * width, width), uniform(rng, 1 + layers, width));
    }

    /** A controller holding the given weights (e.g. loaded from an artifact). */
    public static ControllerNet of(ControllerWeights w) {
        if (w == null) throw new IllegalArgumentException("weights must not be null");
        return new ControllerNet(w.hiddenSize(), w.layers(), w.width(),
                w.fc1Weight(), w.fc1Bias(), w.fc2Weight(), w.fc2Bias());
    }

    /**
     * The controller input: the last four blocks' outputs at the last prompt token,
     * {@code blocks [4][D]} in layer order (L−4 … L−1), concatenated to {@code [4D]}.
     */
    public static float[] features(float[][] blocks) {
        if (blocks == null || blocks.length != ControllerWeights.FEATURE_BLOCKS)
            throw new IllegalArgumentException("blocks must hold the outputs of the last " + ControllerWeights.FEATURE_BLOCKS + " blocks");
        int d = blocks[0].length;
        float[] out = new float[ControllerWeights.FEATURE_BLOCKS * d];
        for (int b = 0; b < ControllerWeights.FEATURE_BLOCKS; b++) {
            if (blocks[b].length != d) throw new IllegalArgumentException("blocks must all have length " + d);
            System.arraycopy(blocks[b], 0, out, b * d, d);
        }
        return out;
    }

    public int hiddenSize() { return hiddenSize; }

    public int layers() { return layers; }

    public int width() { return width; }

    /** The trainable parameters: fc1.weight, fc1.bias, fc2.weight, fc2.bias. */
    public NDList parameters() {
        return new NDList(fc1Weight, fc1Bias, fc2Weight, fc2Bias);
    }

    /** Differentiable forward of {@code features [B, 4D]}; results live in the features' manager. */
    public Forward forward(NDArray features) {
        Shape shape = features.getShape();
        if (shape.dimension() != 2 || shape.get(1) != ControllerWeights.FEATURE_BLOCKS * (long) hiddenSize)
            throw new IllegalArgumentException("features must be [B, " + ControllerWeights.FEATURE_BLOCKS * hiddenSize + "], got " + shape);
        // torch.nn.functional.linear, y = x·Wᵀ + b with W in [out, in] layout
        NDArray h = Activation.relu(Linear.linear(features, fc1Weight, fc1Bias).singletonOrThrow()); // [B, H]
        NDArray out = Linear.linear(h, fc2Weight, fc2Bias).singletonOrThrow();                      // [B, 1+L]
        NDArray s = out.get(new NDIndex(":, 0"));                                       // [B]
        NDArray z = out.get(new NDIndex(":, 1:"));                                      // [B, L]
        return new Forward(s, z, Activation.sigmoid(z));
    }

    /** Plain-Java forward of one feature vector {@code [4D]}; see the class note on snapshots. */
    public ControllerOutput evaluate(float[] features) {
        Mlp m = snapshot;
        if (m == null) snapshot = m = new Mlp(ControllerWeights.FEATURE_BLOCKS * hiddenSize, width, 1 + layers,
                fc1Weight.toFloatArray(), fc1Bias.toFloatArray(), fc2Weight.toFloatArray(), fc2Bias.toFloatArray());
        return m.evaluate(features);
    }

    /** The current weights with the refusal direction they steer along, for export. */
    public ControllerWeights weights(RefusalDirection direction) {
        if (direction == null) throw new IllegalArgumentException("direction must not be null");
        if (direction.source().perLayer() && direction.rows().length != layers)
            throw new IllegalArgumentException("direction has " + direction.rows().length + " layers, the controller " + layers);
        return new ControllerWeights(hiddenSize, layers, width, fc1Weight.toFloatArray(), fc1Bias.toFloatArray(),
                fc2Weight.toFloatArray(), fc2Bias.toFloatArray(), direction.flat());
    }

    /** Drops the plain-Java snapshot; called after every in-place parameter update. */
    void parametersChanged() {
        snapshot = null;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static float[] uniform(SplittableRandom rng, int n, int fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        return x;
    }
}
