package dev.vane.engine.gguf;

import java.nio.ByteBuffer;

/**
 * GGML's block formats to f32, value for value as ggml's own {@code dequantize_row_*} computes
 * them (the tests hold these to goldens that ggml produced, bit for bit). Blocks are read from a
 * little-endian buffer at absolute positions.
 *
 * <pre>
 *   Q8_0  32 per 34 bytes:  d f16 · q[32] int8                     w = q·d
 *   Q4_0  32 per 18 bytes:  d f16 · 16 bytes, weight j low nibble,  w = (n − 8)·d
 *                           weight j + 16 high nibble
 *   Q4_K 256 per 144 bytes: d, dmin f16 · 12 bytes of 6-bit scales and mins for 8 groups of 32 ·
 *                           128 bytes of nibbles (groups 2g and 2g + 1 in the low and high nibbles
 *                           of bytes 32g ..)                       w = d·sc·n − dmin·m
 *   Q6_K 256 per 210 bytes: 128 bytes low 4 bits · 64 bytes high 2 bits · 16 int8 scales (one per
 *                           16 weights) · d f16                     w = d·sc·(q − 32)
 * </pre>
 */
public final class Dequant {

    private Dequant() {}

    /** Whether {@code type} is one of the block formats read here. */
    public static boolean reads(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0 || type == GgmlType.Q4_K || type == GgmlType.Q6_K;
    }

    /** {@code n} values (whole blocks) of {@code type} from byte {@code at} of {@code b} into {@code y[off ..]}. */
    public static void dequantize(GgmlType type, ByteBuffer b, int at, int n, float[] y, int off) {
        if (n % type.blockSize() != 0) throw new IllegalArgumentException(n + " values are not whole " + type + " blocks");
        for (int k = 0; k < n / type.blockSize(); k++, at += type.blockBytes(), off += type.blockSize())
            switch (type) {
                case Q8_0 -> q8_0(b, at, y, off);
                case Q4_0 -> q4_0(b, at, y, off);
                case Q4_K -> q4_k(b, at, y, off);
                case Q6_K -> q6_k(b, at, y, off);
                default -> throw new IllegalArgumentException(type + " is not a block format read here");
            }
    }

    private static float f16(ByteBuffer b, int at) {
        return Float.float16ToFloat(b.getShort(at));
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xFF;
    }

    private static void q8_0(ByteBuffer b, int at, float[] y, int off) {
        float d = f16(b, at);
        for (int j = 0; j < 32; j++) y[off + j] = b.get(at + 2 + j) * d;
    }

    private static void q4_0(ByteBuffer b, int at, float[] y, int off) {
        float d = f16(b, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, at + 2 + j);
            y[off + j] = ((q & 0xF) - 8) * d;
            y[off + j + 16] = ((q >> 4) - 8) * d;
        }
    }

    private static void q4_k(ByteBuffer b, int at, float[] y, int off) {
        float d = f16(b, at), min = f16(b, at + 2);
        int scales = at + 4, q = at + 16;
        for (int g = 0; g < 8; g += 2, q += 32, off += 64) {
            float d1 = d * scale(b, scales, g), m1 = min * mins(b, scales, g);
            float d2 = d * scale(b, scales, g + 1), m2 = min * mins(b, scales, g + 1);
            for (int l = 0; l < 32; l++) y[off + l] = d1 * (u8(b, q + l) & 0xF) - m1;
            for (int l = 0; l < 32; l++) y[off + 32 + l] = d2 * (u8(b, q + l) >> 4) - m2;
        }
    }

    /** Group {@code j}'s 6-bit scale in Q4_K's 12 scale bytes. */
    private static int scale(ByteBuffer b, int s, int j) {
        return j < 4 ? u8(b, s + j) & 63 : (u8(b, s + j + 4) & 0xF) | (u8(b, s + j - 4) >> 6) << 4;
    }

    /** Group {@code j}'s 6-bit min. */
    private static int mins(ByteBuffer b, int s, int j) {
        return j < 4 ? u8(b, s + j + 4) & 63 : (u8(b, s + j + 4) >> 4) | (u8(b, s + j) >> 6) << 4;
    }

    private static void q6_k(ByteBuffer b, int at, float[] y, int off) {
        float d = f16(b, at + 208);
        int ql = at, qh = at + 128, sc = at + 192;
        for (int n = 0; n < 256; n += 128, ql += 64, qh += 32, sc += 8, off += 128)
            for (int l = 0; l < 32; l++) {
                int is = l / 16, h = u8(b, qh + l), lo = u8(b, ql + l), hi = u8(b, ql + l + 32);
                int q1 = ((lo & 0xF) | (h & 3) << 4) - 32;
                int q2 = ((hi & 0xF) | (h >> 2 & 3) << 4) - 32;
                int q3 = ((lo >> 4) | (h >> 4 & 3) << 4) - 32;
                int q4 = ((hi >> 4) | (h >> 6 & 3) << 4) - 32;
                y[off + l] = d * b.get(sc + is) * q1;
                y[off + l + 32] = d * b.get(sc + is + 2) * q2;
                y[off + l + 64] = d * b.get(sc + is + 4) * q3;
                y[off + l + 96] = d * b.get(sc + is + 6) * q4;
            }
    }
}
