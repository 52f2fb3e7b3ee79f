package dev.vane.engine.model;

import dev.vane.engine.cache.KvCache;
import dev.vane.engine.cache.KvDType;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.kernel.KernelPool;

/**
 * A pre-norm decoder (Llama, Mistral, Qwen2, Qwen3) with hook sites: the one interface the
 * generator and the scheduler step. Two implementations with clear jobs: the
 * {@link JavaDecoder} serves (f16 weights, Java kernels), the {@link TensorDecoder} trains, runs
 * autograd and is the f32 reference. {@link ModelLoader} picks one per model ({@link Backend}).
 *
 * <pre>
 *   x = embed(ids)
 *   per layer l:  x = x + attn(rms(x))     (sites RESID_PRE, LAYER_GATE, ATTN_HEADS, ATTN_OUT)
 *                 x = x + mlp(rms(x))      (sites MLP_OUT, RESID_POST)
 *   logits = head(rms(x))                  (site LOGITS)
 * </pre>
 *
 * Thread safety: {@link #forwardLogits} may run concurrently for different caches.
 */
public sealed interface CausalLM extends AutoCloseable permits JavaDecoder, TensorDecoder {

    ModelConfig config();

    /** How this model's steps run, and why. */
    Backend backend();

    /** Bytes of weights this model holds in memory, in the layout it computes with. */
    long weightBytes();

    /** Time this model's steps spent in attention, and the kernel's label. */
    AttentionTime attentionTime();

    /** Positions the model was prepared for (RoPE tables); the context limit of its caches. */
    int maxPositions();

    /** The KV element type of {@link #newCache(int, int)}'s caches, chosen at load ({@link LoadOptions#kvDType}). */
    KvDType kvDType();

    /** A cache of {@code slots} sequences of {@code capacity} positions, of {@code dtype} elements, that this decoder steps over. */
    KvCache newCache(int slots, int capacity, KvDType dtype);

    /** A cache of this model's {@link #kvDType}. */
    default KvCache newCache(int slots, int capacity) {
        return newCache(slots, capacity, kvDType());
    }

    /**
     * One step over a cache made by {@link #newCache}: each row appends its tokens to its slot
     * and attends over the slot; returns the logits {@code [rows × vocab]} (rows as in
     * {@link LogitsMode}), written into {@code into} when it holds that many floats (then
     * returned; else a new array), so a caller that steps repeatedly keeps one buffer.
     */
    float[] forwardLogits(StepInput in, KvCache cache, StepHooks hooks, LogitsMode mode, float[] into);

    default float[] forwardLogits(StepInput in, KvCache cache, StepHooks hooks, LogitsMode mode) {
        return forwardLogits(in, cache, hooks, mode, null);
    }

    /**
     * The Activation Beacon settings when this model runs beacon rows (a step row whose token id
     * is {@link ModelConfig#vocabSize}; the serving decoder with a checkpoint's beacon parameters);
     * empty otherwise.
     */
    default java.util.Optional<dev.vane.engine.config.BeaconConfig> beacon() { return java.util.Optional.empty(); }

    /**
     * Moves the beacons of a closed beacon window in {@code slot}: the entries at positions
     * {@code from[i]} go to {@code to + i} (keys rotated for the new positions). Models with
     * {@link #beacon} only.
     */
    default void moveBeacons(KvCache cache, int slot, int[] from, int to) {
        throw new UnsupportedOperationException("this model runs no beacon rows");
    }

    /**
     * Runs {@code task} for {@code 0 .. n-1} on the model's threads (this one included) when it has
     * a kernel pool, else in order on this thread; returns when all are done and rethrows a task's
     * exception. For per-row work around a step (sampling, detokenising); a task must not run a
     * forward step or anything else on the model's pool (the pool runs one section at a time).
     */
    void parallel(int n, KernelPool.Task task);

    @Override
    void close();

    /** Rejects a step whose rows run past {@code maxPositions}. */
    static void checkPositions(StepInput in, int maxPositions) {
        int t = in.width();
        for (int r = 0; r < in.rows(); r++)
            if (in.start()[r] + t - 1 >= maxPositions)
                throw new IllegalArgumentException("position " + (in.start()[r] + t - 1) + " beyond the model's " + maxPositions);
    }
}
