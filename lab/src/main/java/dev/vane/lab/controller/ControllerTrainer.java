package dev.vane.lab.controller;

import dev.vane.steering.controller.ControllerWeights;


import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vane.lab.train.AdamW;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a {@link ControllerNet} on cached activations with the LLM frozen ("Guiding Giants",
 * arXiv 2505.20309; methods.md §1): AdamW, lr 5e-5, batch 8, 10 epochs, gradient-norm clip 1.0,
 * loss {@link ControllerLoss}. The activations are cached once per prompt (f32), so an epoch
 * costs only the MLP.
 *
 * <p>Each epoch visits the training rows in a seeded permutation; the held-out accuracy counts a
 * row as right when {@code s > 0 ⇔ harmful}.
 */
public final class ControllerTrainer {

    /**
     * @param learningRate AdamW step size (paper: 5e-5)
     * @param batchSize    rows per step (paper: 8)
     * @param epochs       passes over the training rows (paper: 10)
     * @param clipNorm     global gradient-norm clip, ≤ 0 for none (paper: 1.0)
     * @param weightDecay  decoupled weight decay (PyTorch AdamW default 0.01)
     * @param width        controller hidden width H (paper: 1024)
     * @param seed         initialisation and shuffling seed
     */
    public record Config(double learningRate, int batchSize, int epochs, double clipNorm, double weightDecay,
                         int width, long seed) {
        public Config {
            if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
            if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
            if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        }

        /** The paper's settings. */
        public static Config paper(long seed) {
            return new Config(5e-5, 8, 10, 1.0, 0.01, ControllerNet.PAPER_WIDTH, seed);
        }

        public Config withLearningRate(double lr) {
            return new Config(lr, batchSize, epochs, clipNorm, weightDecay, width, seed);
        }

        public Config withWidth(int w) {
            return new Config(learningRate, batchSize, epochs, clipNorm, weightDecay, w, seed);
        }
    }

    /** One cached prompt: controller features {@code [4D]} and whether the prompt is harmful. */
    public record Example(float[] features, boolean harmful) {
        public Example {
            if (features == null || features.length == 0) throw new IllegalArgumentException("features must be non-empty");
        }
    }

    /** One epoch of the learning curve: mean training loss and held-out accuracy after the epoch. */
    public record Epoch(int epoch, double meanLoss, double heldOutAccuracy) {}

    /** The trained controller (the caller closes it) and its learning curve. */
    public record Result(ControllerNet net, List<Epoch> epochs) {}

    private ControllerTrainer() {}

    /**
     * Trains a fresh controller for a model with {@code layers} blocks.
     *
     * @param train   training rows, all with features of length 4D
     * @param heldOut rows for the per-epoch accuracy, same width
     */
    public static Result train(List<Example> train, List<Example> heldOut, int layers, Config cfg) {
        if (train == null || train.isEmpty()) throw new IllegalArgumentException("train must be non-empty");
        if (heldOut == null || heldOut.isEmpty()) throw new IllegalArgumentException("heldOut must be non-empty");
        int in = train.get(0).features().length;
        if (in % ControllerWeights.FEATURE_BLOCKS != 0)
            throw new IllegalArgumentException("features length must be 4D, got " + in);
        for (List<Example> set : List.of(train, heldOut))
            for (Example e : set)
                if (e.features().length != in) throw new IllegalArgumentException("features must all have length " + in);

        ControllerNet net = ControllerNet.init(in / ControllerWeights.FEATURE_BLOCKS, layers, cfg.width(), cfg.seed());
        try (NDManager scratch = NDManager.newBaseManager()) {
            net.parameters().forEach(p -> p.setRequiresGradient(true));
            AdamW opt = AdamW.of(net.parameters(), cfg.weightDecay());
            SplittableRandom rng = new SplittableRandom(cfg.seed() ^ 0x5DEECE66DL);
            int n = train.size();
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            List<Epoch> curve = new ArrayList<>();
            for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
                shuffle(order, rng);
                double lossSum = 0;
                for (int start = 0; start < n; start += cfg.batchSize()) {
                    int b = Math.min(cfg.batchSize(), n - start);
                    float[] x = new float[b * in];
                    float[] y = new float[b];
                    for (int r = 0; r < b; r++) {
                        Example e = train.get(order[start + r]);
                        System.arraycopy(e.features(), 0, x, r * in, in);
                        y[r] = e.harmful() ? 1f : 0f;
                    }
                    try (NDScope scope = new NDScope();
                         GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray features = scratch.create(x, new Shape(b, in));       // [B, 4D]
                        NDArray labels = scratch.create(y, new Shape(b));              // [B]
                        ControllerNet.Forward f = net.forward(features);
                        NDArray loss = ControllerLoss.of(f.s(), f.w(), labels).total();
                        gc.backward(loss);
                        lossSum += loss.getFloat() * b;
                    }
                    try (NDScope scope = new NDScope()) {
                        opt.step(cfg.learningRate(), cfg.clipNorm());
                    }
                    net.parametersChanged();
                }
                curve.add(new Epoch(epoch, lossSum / n, accuracy(net, heldOut)));
            }
            net.parameters().forEach(p -> p.setRequiresGradient(false));
            return new Result(net, List.copyOf(curve));
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** Fraction of rows with {@code s > 0 ⇔ harmful}, by the plain-Java forward. */
    public static double accuracy(ControllerNet net, List<Example> rows) {
        int hit = 0;
        for (Example e : rows) if ((net.evaluate(e.features()).s() > 0) == e.harmful()) hit++;
        return (double) hit / rows.size();
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
