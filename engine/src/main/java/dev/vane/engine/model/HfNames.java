package dev.vane.engine.model;

import java.util.List;

/** Hugging Face tensor names of the Llama family (Mistral and Qwen2/3 share them). */
public final class HfNames {

    private HfNames() {}

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    public static final String INPUT_NORM = "input_layernorm.weight";
    public static final String POST_NORM = "post_attention_layernorm.weight";
    public static final String Q = "self_attn.q_proj.weight";
    public static final String K = "self_attn.k_proj.weight";
    public static final String V = "self_attn.v_proj.weight";
    public static final String O = "self_attn.o_proj.weight";
    public static final String Q_BIAS = "self_attn.q_proj.bias";
    public static final String K_BIAS = "self_attn.k_proj.bias";
    public static final String V_BIAS = "self_attn.v_proj.bias";
    public static final String Q_NORM = "self_attn.q_norm.weight";
    public static final String K_NORM = "self_attn.k_norm.weight";
    public static final String GATE = "mlp.gate_proj.weight";
    public static final String UP = "mlp.up_proj.weight";
    public static final String DOWN = "mlp.down_proj.weight";

    /** The Activation Beacon embedding {@code [1, D]} (the reference implementation's name). */
    public static final String BEACON_EMBED = "model.beacon_embed_tokens.weight";

    /** Layer {@code l}'s beacon copy of projection {@code p}: {@code self_attn.beacon_q_proj.weight} (or {@code .bias}). */
    public static String beacon(int l, dev.vane.engine.config.BeaconConfig.Projection p, boolean bias) {
        return layer(l, "self_attn.beacon_" + p.id() + "_proj." + (bias ? "bias" : "weight"));
    }

    /** Layer {@code l}'s base projection {@code p} (the one a beacon copy replaces for beacon rows). */
    public static String base(int l, dev.vane.engine.config.BeaconConfig.Projection p, boolean bias) {
        return layer(l, "self_attn." + p.id() + "_proj." + (bias ? "bias" : "weight"));
    }

    public static String layer(int l, String suffix) {
        return "model.layers." + l + "." + suffix;
    }

    /** Layer {@code l}'s q, k and v projections, in the order they are stacked into one matrix. */
    public static List<String> qkv(int l) {
        return List.of(layer(l, Q), layer(l, K), layer(l, V));
    }

    /** Layer {@code l}'s q, k and v biases, stacked like {@link #qkv}. */
    public static List<String> qkvBias(int l) {
        return List.of(layer(l, Q_BIAS), layer(l, K_BIAS), layer(l, V_BIAS));
    }

    /** Layer {@code l}'s gate and up projections, in the order they are stacked into one matrix. */
    public static List<String> gateUp(int l) {
        return List.of(layer(l, GATE), layer(l, UP));
    }
}
