package dev.vane.engine.model;

import ai.djl.ndarray.types.DataType;

/**
 * Element type of the projection weights and their matrix products. The residual stream,
 * norms, RoPE, attention and logits always stay in f32. {@link #Q8_0} and {@link #Q4_0} (blocks
 * of 32 eight- or four-bit weights with an f16 scale, GGML's formats) and {@link #Q4_K} (GGML's
 * 4-bit K-quant, read from GGUF files only: Vane does not quantise to it) run on the Java kernels only.
 */
public enum ComputeDType {
    F32(DataType.FLOAT32),
    F16(DataType.FLOAT16),
    Q8_0(null),
    Q4_0(null),
    Q4_K(null);

    private final DataType djl;

    ComputeDType(DataType djl) { this.djl = djl; }

    /** Whether the weights are blocks of GGML quantised values ({@link #Q8_0}, {@link #Q4_0}, {@link #Q4_K}). */
    public boolean quantized() { return djl == null; }

    /** The tensor path's element type; the quantised types have none (the tensor path refuses it, {@link Backend#choose}). */
    public DataType djl() {
        if (djl == null) throw new IllegalStateException(this + " has no tensor element type");
        return djl;
    }

    public static ComputeDType parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32" -> F32;
            case "f16", "float16" -> F16;
            case "q8_0", "q8" -> Q8_0;
            case "q4_0", "q4" -> Q4_0;
            case "q4_k" -> Q4_K;
            default -> throw new IllegalArgumentException("dtype must be f32, f16, q8_0, q4_0 or q4_k, got '" + s + "'");
        };
    }

    /** The name users write ({@code f32}, {@code f16}, {@code q8_0}). */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
