package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.Optional;

/**
 * One decoder layer's parameters, projections in Hugging Face {@code [out, in]} layout and
 * fused where the math allows one matrix product instead of several.
 *
 * @param inputNorm  {@code [D]} f32
 * @param qkv        {@code [(H + 2G)·Dh, D]} q, k and v projections stacked
 * @param qkvBias    {@code [(H + 2G)·Dh]} f32 (Qwen2, or {@code attention_bias})
 * @param qkNorm     {@code [H + G, Dh]} f32: Qwen3's q_norm repeated per query head, then k_norm
 *                   per KV head, so one RMSNorm covers both
 * @param o          {@code [D, H·Dh]}
 * @param postNorm   {@code [D]} f32
 * @param gateUp     {@code [2·I, D]} gate and up projections stacked
 * @param down       {@code [D, I]}
 */
public record LayerWeights(
        NDArray inputNorm,
        NDArray qkv,
        Optional<NDArray> qkvBias,
        Optional<NDArray> qkNorm,
        NDArray o,
        NDArray postNorm,
        NDArray gateUp,
        NDArray down) {

    /** Every parameter array (qkNorm's repeated layout included). */
    public NDList all() {
        NDList list = new NDList(inputNorm, qkv, o, postNorm, gateUp, down);
        qkvBias.ifPresent(list::add);
        qkNorm.ifPresent(list::add);
        return list;
    }
}
