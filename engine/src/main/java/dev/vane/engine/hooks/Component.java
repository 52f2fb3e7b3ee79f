package dev.vane.engine.hooks;

/** Where in a decoder layer a hook site sits (design.md §3). */
public enum Component {
    /** Decision: run or skip the layer for each row. */
    LAYER_GATE,
    /** Residual stream entering the layer {@code [B, T, D]}. */
    RESID_PRE,
    /** Per-head attention output before {@code o_proj} {@code [B, T, H, Dh]}. */
    ATTN_HEADS,
    /** Attention block output {@code [B, T, D]}. */
    ATTN_OUT,
    /** MLP block output {@code [B, T, D]}. */
    MLP_OUT,
    /** Residual stream leaving the layer {@code [B, T, D]}. */
    RESID_POST,
    /** The layer's KV cache segment. */
    KV,
    /** Final logits {@code [B, V]} (or {@code [B, T, V]}); layer index is -1. */
    LOGITS
}
