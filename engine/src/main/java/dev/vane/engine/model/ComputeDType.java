package dev.vane.engine.model;

import ai.djl.ndarray.types.DataType;

/**
 * Element type of the projection weights and their matrix products. The residual stream,
 * norms, RoPE, attention and logits always stay in f32.
 */
public enum ComputeDType {
    F32(DataType.FLOAT32),
    F16(DataType.FLOAT16);

    private final DataType djl;

    ComputeDType(DataType djl) { this.djl = djl; }

    public DataType djl() { return djl; }

    public static ComputeDType parse(String s) {
        return switch (s.toLowerCase()) {
            case "f32", "float32" -> F32;
            case "f16", "float16" -> F16;
            default -> throw new IllegalArgumentException("dtype must be f32 or f16, got '" + s + "'");
        };
    }
}
