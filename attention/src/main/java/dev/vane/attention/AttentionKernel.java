package dev.vane.attention;

import ai.djl.ndarray.NDArray;

/**
 * One attention variant: {@code out_i = Σ_j N_i(φ(λ_i·s·q_i·k_j + b))_j · v_j} over visible keys.
 *
 * <p>Shapes use B rows, G key/value heads, R query heads per KV head (GQA group), T queries,
 * K keys, D head dimension. Query heads sharing a KV head are laid out group-major, which is
 * what lets grouped-query attention run without repeating K and V.
 */
public interface AttentionKernel {

    /**
     * @param q    {@code [B, G, R*T, D]} queries (after RoPE), f32
     * @param k    {@code [B, G, K, D]} keys, f32
     * @param v    {@code [B, G, K, D]} values, f32
     * @param mask additive mask broadcastable to {@code [B, G, R, T, K]}, or {@code null} when
     *             every key is visible to every query
     * @param groupSize R
     * @return {@code [B, G, R*T, D]}
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int groupSize);
}
