package dev.vane.attention;

import ai.djl.ndarray.NDArray;

/**
 * One attention variant, run by both decoders:
 * {@code out_i = Σ_j N_i(φ(s·q_i·k_j))_j · v_j} over the keys visible to query i (for softmax,
 * {@code φ = exp} and {@code N} divides by the row's sum).
 *
 * <p>A variant implements both forms once: the <em>array</em> form, which the Java decoder calls
 * for every (query position, KV head) item of a step from its kernel threads, and the
 * <em>tensor</em> form, which the tensor decoder calls with DJL arrays (differentiable, for
 * training and as the f32 reference). Which keys a query sees is decided by the caller from
 * absolute positions ({@link AttentionMask}); the array form gets them as one contiguous range.
 *
 * <p>Shape letters: B rows, G key/value heads, R query heads per KV head (GQA group), T queries,
 * K keys, Dh head dimension. Query heads sharing a KV head are laid out group-major, which lets
 * grouped-query attention run without repeating K and V.
 */
public interface Attention {

    /** The head dimension {@code Dh} this instance was built for. */
    int headDim();

    /** The kernel's name in metrics and traces: {@code softmax}, {@code softmax_online}, {@code lssar}, … */
    String label();

    /**
     * Array form: the {@code heads} query heads of one query position that share one KV head,
     * at {@code q[q0 + h·Dh ..]}, attend over the {@code n ≥ 1} visible keys and values at
     * {@code keys[kv0 + j·Dh ..]} and {@code values[kv0 + j·Dh ..]} ({@code j = 0 .. n-1}, in
     * position order); head h's output goes to {@code out[o0 + h·Dh ..]}. Safe to call from
     * several threads at once. {@code n = 0} writes zeros.
     */
    void attend(float[] q, int q0, int heads, float[] keys, float[] values, int kv0, int n, float[] out, int o0);

    /**
     * Tensor form.
     *
     * @param q    {@code [B, G, R*T, Dh]} queries (after RoPE), f32
     * @param k    {@code [B, G, K, Dh]} keys, f32
     * @param v    {@code [B, G, K, Dh]} values, f32
     * @param mask additive mask broadcastable to {@code [B, G, R, T, K]} (0 where visible,
     *             −∞ elsewhere), or {@code null} when every key is visible to every query
     * @param groupSize R
     * @return {@code [B, G, R*T, Dh]}
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int groupSize);
}
