package dev.vane.engine.kernel;

/**
 * The rows of an {@code [out, in]} matrix in one of GGML's 32-weight block formats, read on demand
 * (several threads at once): row {@code o}'s {@code in / 32} scales as f16 bits, and its data in
 * the format's byte order ({@code in} int8 for Q8_0, {@code in / 2} bytes of two nibbles for Q4_0).
 */
@FunctionalInterface
public interface BlockRows {
    void row(int o, short[] scales, byte[] data);
}
