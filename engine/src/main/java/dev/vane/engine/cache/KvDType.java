package dev.vane.engine.cache;

import java.util.Locale;

/**
 * Element type of a KV cache's keys and values. Attention itself always runs in f32: an f16
 * cache is converted to f32 as a step reads it.
 */
public enum KvDType {
    /** Exactly the f32 keys and values the projections produced. */
    F32(Float.BYTES),
    /**
     * IEEE half precision, rounded to nearest even as they are stored (relative error ≤ 2⁻¹¹),
     * saturated at ±65,504: half the memory. A step converts the positions it reads to f32 before
     * attention, which costs about what the halved reads save (decode speed within a few percent
     * of f32, docs/results/performance.md).
     */
    F16(2);

    private final int bytes;

    KvDType(int bytes) { this.bytes = bytes; }

    /** Bytes per key or value element. */
    public int bytes() { return bytes; }

    /** The name users write ({@code f32}, {@code f16}). */
    public String label() { return name().toLowerCase(Locale.ROOT); }

    public static KvDType parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> F32;
            case "f16", "float16" -> F16;
            default -> throw new IllegalArgumentException("KV cache type must be f32 or f16, got '" + s + "'");
        };
    }
}
