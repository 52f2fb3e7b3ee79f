package dev.vane.engine.kernel;

/**
 * The rows of an {@code [out, in]} matrix in one of GGML's block formats, read on demand (several
 * threads at once): the f16 scales that open each block as f16 bits, and the rest of its blocks in
 * the format's byte order: Q8_0 and Q4_0 {@code in / 32} scales and {@code in} int8 or
 * {@code in / 2} bytes of two nibbles; Q4_K {@code D, Dmin} per 256 weights and 140 bytes after them.
 */
@FunctionalInterface
public interface BlockRows {
    void row(int o, short[] scales, byte[] data);
}
