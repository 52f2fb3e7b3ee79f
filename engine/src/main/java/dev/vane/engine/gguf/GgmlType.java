package dev.vane.engine.gguf;

import java.util.Optional;

/**
 * The ggml tensor element types Vane reads from GGUF, with their block geometry: a tensor's
 * elements are stored in blocks of {@link #blockSize} elements taking {@link #blockBytes} bytes
 * (one element per block for the float types). Other types are recognised by id only to name them
 * in errors.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    /** Blocks of 32: an f16 scale d, then 16 bytes, byte j holding weight j (low nibble n) and j + 16 (high); w = d · (n − 8). */
    Q4_0(2, 32, 18),
    /** Blocks of 32: an f16 scale d, then 32 int8 q; w = d · q. */
    Q8_0(8, 32, 34),
    /** Super-blocks of 256 in 8 groups of 32 with 6-bit scales and mins ({@link Dequant}). */
    Q4_K(12, 256, 144),
    /** Super-blocks of 256: 6-bit values, an int8 scale per 16 ({@link Dequant}). */
    Q6_K(14, 256, 210),
    BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int id() { return id; }
    /** Elements per block. */
    public int blockSize() { return blockSize; }
    /** Bytes per block. */
    public int blockBytes() { return blockBytes; }
    /** Bytes per element of the float types (F32, F16, BF16). */
    public int bytes() {
        if (blockSize != 1) throw new IllegalStateException(this + " is stored in blocks of " + blockSize);
        return blockBytes;
    }

    /** Bytes that {@code elements} take, or -1 when they are not whole blocks. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) return -1;
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

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
