package dev.vane.lab.train;

/**
 * Hyper-parameters of a language-model training run.
 *
 * @param steps          optimiser steps in the whole run (the cosine schedule's length)
 * @param batchSize      sequences per step
 * @param seqLen         tokens per sequence (targets are the next tokens)
 * @param lr             peak learning rate
 * @param minLrRatio     final learning rate as a fraction of {@code lr}
 * @param warmupSteps    linear warm-up steps
 * @param weightDecay    AdamW decoupled weight decay
 * @param clipNorm       global gradient-norm clip (0 = off)
 * @param evalEvery      steps between validation passes (0 = never)
 * @param evalBatches    batches per validation pass
 * @param checkpointEvery steps between checkpoints (0 = only at the end)
 * @param seed           data-order seed: the batch of step s depends only on (seed, s)
 */
public record TrainConfig(int steps, int batchSize, int seqLen, double lr, double minLrRatio, int warmupSteps,
                          double weightDecay, double clipNorm, int evalEvery, int evalBatches, int checkpointEvery,
                          long seed) {

    public TrainConfig {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        if (seqLen < 2) throw new IllegalArgumentException("sequence length must be >= 2");
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be > 0");
        if (minLrRatio < 0 || minLrRatio > 1) throw new IllegalArgumentException("min lr ratio must be in [0, 1]");
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must be >= 0");
    }

    /** Warm-up then cosine decay: the learning rate of step {@code s} (0-based). */
    public double learningRate(int s) {
        if (s < warmupSteps) return lr * (s + 1) / warmupSteps;
        double progress = Math.min(1.0, (double) (s - warmupSteps) / Math.max(1, steps - warmupSteps));
        double min = lr * minLrRatio;
        return min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
