package dev.vane.engine.model;

import ai.djl.ndarray.types.DataType;

/**
 * Element type of the projection weights and their matrix products. The residual stream,
 * norms, RoPE, attention and logits always stay in f32. {@link #Q8_0} (blocks of 32 int8 weights
 * with an f16 scale, GGML's format) runs on the Java kernels only.
 */
public enum ComputeDType {
    F32(DataType.FLOAT32),
    F16(DataType.FLOAT16),
    Q8_0(null);

    private final DataType djl;

    ComputeDType(DataType djl) { this.djl = djl; }

    /** The tensor path's element type; {@link #Q8_0} has none (the tensor path refuses it, {@link Backend#choose}). */
    public DataType djl() {
        if (djl == null) throw new IllegalStateException(this + " has no tensor element type");
        return djl;
    }

    public static ComputeDType parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32" -> F32;
            case "f16", "float16" -> F16;
            case "q8_0", "q8" -> Q8_0;
            default -> throw new IllegalArgumentException("dtype must be f32, f16 or q8_0, got '" + s + "'");
        };
    }

    /** The name users write ({@code f32}, {@code f16}, {@code q8_0}). */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
