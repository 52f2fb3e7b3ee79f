package dev.vane.engine.model;

import dev.vane.engine.cache.KvDType;

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
 * @param kvDType      the KV cache's element type; empty: f16 on the Java decoder, f32 on the
 *                     tensor decoder (which keeps f32 only)
 * @param attention    the attention kernel and its options ({@link AttentionChoice#DEFAULT}: the checkpoint's own)
 */
public record LoadOptions(Optional<ComputeDType> dtype, int maxPositions, Backend.Request backend, int threads, WeightCache weightCache,
                          Optional<KvDType> kvDType, AttentionChoice attention) {

    public LoadOptions {
        if (maxPositions < 0) throw new IllegalArgumentException("maxPositions must be >= 0, got " + maxPositions);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** Options with the checkpoint's own attention. */
    public LoadOptions(Optional<ComputeDType> dtype, int maxPositions, Backend.Request backend, int threads, WeightCache weightCache,
                       Optional<KvDType> kvDType) {
        this(dtype, maxPositions, backend, threads, weightCache, kvDType, AttentionChoice.DEFAULT);
    }

    /** Options with the backend's own KV type (f16 on the Java decoder, f32 on the tensor decoder). */
    public LoadOptions(Optional<ComputeDType> dtype, int maxPositions, Backend.Request backend, int threads, WeightCache weightCache) {
        this(dtype, maxPositions, backend, threads, weightCache, Optional.empty());
    }

    /** The Java decoder on {@code threads} threads, f16 weights, no weight cache (tests and benchmarks of the serving path). */
    public static LoadOptions java(int maxPositions, int threads) {
        return new LoadOptions(Optional.of(ComputeDType.F16), maxPositions, Backend.Request.JAVA, threads, WeightCache.OFF);
    }

    /** Whatever {@link Backend#choose} picks for the checkpoint's own dtype, no weight cache. */
    public static LoadOptions auto(int maxPositions, int threads) {
        return new LoadOptions(Optional.empty(), maxPositions, Backend.Request.AUTO, threads, WeightCache.OFF);
    }

    /** These options with a KV cache of {@code kv} elements. */
    public LoadOptions withKv(KvDType kv) {
        return new LoadOptions(dtype, maxPositions, backend, threads, weightCache, Optional.of(kv), attention);
    }

    /** These options with another attention choice. */
    public LoadOptions withAttention(AttentionChoice a) {
        return new LoadOptions(dtype, maxPositions, backend, threads, weightCache, kvDType, a);
    }

    /** The KV type a decoder of {@code kind} loads with under these options. */
    KvDType kvDType(Backend.Kind kind) {
        if (kind == Backend.Kind.TENSOR && kvDType.filter(t -> t != KvDType.F32).isPresent())
            throw new IllegalArgumentException("kv-dtype: the tensor backend keeps an f32 KV cache, not " + kvDType.get().label());
        return kvDType.orElse(kind == Backend.Kind.JAVA ? KvDType.F16 : KvDType.F32);
    }
}
