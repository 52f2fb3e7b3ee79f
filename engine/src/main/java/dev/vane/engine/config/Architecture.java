package dev.vane.engine.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * The decoder families Vane runs, keyed by the Hugging Face {@code architectures[0]} name.
 * Each differs from Llama only in the traits listed here.
 */
public enum Architecture {
    LLAMA("LlamaForCausalLM", false, false),
    MISTRAL("MistralForCausalLM", false, false),
    QWEN2("Qwen2ForCausalLM", true, false),
    QWEN3("Qwen3ForCausalLM", false, true);

    private final String hfName;
    private final boolean qkvBiasAlways;
    private final boolean qkNorm;

    Architecture(String hfName, boolean qkvBiasAlways, boolean qkNorm) {
        this.hfName = hfName;
        this.qkvBiasAlways = qkvBiasAlways;
        this.qkNorm = qkNorm;
    }

    /** The name in {@code config.json}'s {@code architectures}. */
    public String hfName() { return hfName; }

    /** Qwen2 always has q/k/v projection biases; others only with {@code attention_bias}. */
    public boolean qkvBiasAlways() { return qkvBiasAlways; }

    /** Qwen3 applies a per-head RMSNorm to q and k before RoPE. */
    public boolean qkNorm() { return qkNorm; }

    public static Optional<Architecture> fromHfName(String name) {
        return Arrays.stream(values()).filter(a -> a.hfName.equals(name)).findFirst();
    }
}
