package dev.vane.engine.model;

import java.util.Optional;

/**
 * How to load a model for inference.
 *
 * @param dtype        the projections' compute type; empty: the checkpoint's (f16 for f16 and
 *                     bf16 weights, f32 for f32 weights)
 * @param maxPositions context length to prepare RoPE tables for; 0 means the checkpoint's
 *                     {@code max_position_embeddings}
 * @param backend      which decoder to run ({@link Backend#choose})
 * @param threads      threads of that decoder
 * @param weightCache  whether the Java decoder keeps its packed weights beside the checkpoint
 */
public record LoadOptions(Optional<ComputeDType> dtype, int maxPositions, Backend.Request backend, int threads, WeightCache weightCache) {

    public LoadOptions {
        if (maxPositions < 0) throw new IllegalArgumentException("maxPositions must be >= 0, got " + maxPositions);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** The Java decoder on {@code threads} threads, f16 weights, no weight cache (tests and benchmarks of the serving path). */
    public static LoadOptions java(int maxPositions, int threads) {
        return new LoadOptions(Optional.of(ComputeDType.F16), maxPositions, Backend.Request.JAVA, threads, WeightCache.OFF);
    }

    /** Whatever {@link Backend#choose} picks for the checkpoint's own dtype, no weight cache. */
    public static LoadOptions auto(int maxPositions, int threads) {
        return new LoadOptions(Optional.empty(), maxPositions, Backend.Request.AUTO, threads, WeightCache.OFF);
    }
}
