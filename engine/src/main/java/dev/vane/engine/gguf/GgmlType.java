package dev.vane.steering.gguf;

import java.util.Optional;

/**
 * The ggml tensor element types Vane reads from GGUF. Control vectors are F32; F16 is accepted
 * because converting it is lossless. Quantised types are recognised by id only to name them in
 * errors.
 */
public enum GgmlType {
    F32(0, 4), F16(1, 2);

    private final int id;
    private final int bytes;

    GgmlType(int id, int bytes) {
        this.id = id;
        this.bytes = bytes;
    }

    public int id() { return id; }
    public int bytes() { return bytes; }

    public static Optional<GgmlType> byId(int id) {
        for (GgmlType t : values()) if (t.id == id) return Optional.of(t);
        return Optional.empty();
    }

    /** A readable name for any ggml type id (for error messages). */
    public static String describe(int id) {
        String[] names = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K",
                "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",
                "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
        return id >= 0 && id < names.length ? names[id] + " (" + id + ")" : "type " + id;
    }
}
