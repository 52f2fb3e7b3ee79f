package dev.vane.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Matrix products over GGML's Q4_K weights (its 4-bit K-quant) in Java SIMD, laid out and tiled as
 * {@link Q4Gemv} (blocks of 32 four-bit values {@code n}, 16 bytes each: byte {@code j} holds
 * weight {@code j} low and {@code j + 16} high; Q4_K's own order, 64 weights per 32 bytes, is
 * rearranged at packing), with an offset per block:
 * <pre>
 *   W[o, i] = n · d + m      d = D · sc,  m = −(Dmin · mc)
 *                            D, Dmin f16 per 256 weights; sc, mc 6-bit per 32
 *   y[b, o] = Σ_i  W[o, i] · x[b, i]
 * </pre>
 * Held in 4.75 bits per weight: per block the {@code BLOCK} rows' {@code sc} then {@code mc} as
 * bytes, per super-block their {@code D} then {@code Dmin} as f32. Activations stay f32 and each
 * weight is {@code fma(n, d, m)}, rounded once as GGML's dequantisation rounds {@code d·n − m}
 * ({@code d·n} is exact: at most 17 by 4 bits); a high nibble is read by a 16-bit shift of the byte
 * pairs (x86 has no byte shift). A class of its own rather than a format branch in Q4Gemv's
 * tiles: with both formats compiled into one tile, C2 kept the per-block vectors in memory and
 * the products ran ten times slower.
 *
 * <p><b>One order everywhere</b>, as {@link Q4Gemv}'s: every output is one FMA chain from zero
 * over the inputs of each block in the order the bytes hold them, whichever tile computes it, so a
 * batch row equals its solo product bit for bit, and {@link #reference} is that chain in scalar code.
 */
public final class Q4KGemv {

    /** Weights per quantisation block (one scale each). */
    public static final int QK = 32;
    /** Weights per Q4_K super-block (one {@code D} and {@code Dmin} each). */
    public static final int QK_K = 256;
    private static final VectorSpecies<Float> F = F16Gemv.WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = F16Gemv.WIDE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    /** Output rows per packed block. */
    public static final int BLOCK = F.length();
    private static final int ROW_BLOCK = 32;
    private static final int PACK_CHUNK_ROWS = 256;

    private Q4KGemv() {}

    /**
     * A matrix in the packed layout, outside the Java heap ({@link PackedMemory}, as
     * {@link Q8Gemv.Packed}).
     *
     * @param nibbles   {@code blocks(out) · in/2 · BLOCK} bytes, two weights each
     * @param scales    {@code blocks(out) · in/256 · 2 · BLOCK} super-block scales {@code D, Dmin} (f16 values held as little-endian f32)
     * @param subScales {@code blocks(out) · in/32 · 2 · BLOCK} 6-bit {@code sc, mc}
     */
    public record Packed(MemorySegment nibbles, MemorySegment scales, MemorySegment subScales, int out, int in) {
        /** The weight {@code W[o, i]} as f32, as the kernels form it: {@code fma(n, d, m)}. */
        public float weight(int o, int i) {
            int r = i % QK, b = nibbles.get(ValueLayout.JAVA_BYTE, Q4Gemv.nibble(in, o, i / QK, r % 16));
            int n = r < 16 ? b & 0xF : (b >> 4) & 0xF;
            return Math.fma(n, scale(o, i / QK), offset(o, i / QK));
        }

        /** Block {@code k}'s scale {@code d = D · sc} of row {@code o}. */
        float scale(int o, int k) {
            return subScales.get(ValueLayout.JAVA_BYTE, sub(in, o, k)) * Q8Gemv.scale(scales, sup(in, o, k / 8));
        }

        /** Block {@code k}'s offset {@code m = −(Dmin · mc)} of row {@code o}. */
        float offset(int o, int k) {
            return subScales.get(ValueLayout.JAVA_BYTE, sub(in, o, k) + BLOCK) * -Q8Gemv.scale(scales, sup(in, o, k / 8) + BLOCK);
        }

        public long bytes() { return nibbles.byteSize() + scales.byteSize() + subScales.byteSize(); }
    }

    /** Where {@code sc[o, k]} lies ({@code mc} {@link #BLOCK} further). */
    static int sub(int in, int o, int k) {
        return (((o / BLOCK) * (in / QK) + k) * 2) * BLOCK + o % BLOCK;
    }

    /** Where {@code D[o, s]} of super-block {@code s} lies ({@code Dmin} {@link #BLOCK} further). */
    static int sup(int in, int o, int s) {
        return (((o / BLOCK) * (in / QK_K) + s) * 2) * BLOCK + o % BLOCK;
    }

    /** Blocks of {@link #BLOCK} output rows that hold {@code out} rows (the layout is {@link Q4Gemv}'s). */
    public static int blocks(int out) { return Q4Gemv.blocks(out); }


    /**
     * Packs the rows of an {@code [out, in]} Q4_K matrix on {@code pool} (this thread when null):
     * {@code src} gives per super-block its {@code D}, {@code Dmin} (f16 bits) and its 140 bytes
     * after them (12 bytes of 6-bit {@code sc}/{@code mc}, 128 of nibbles), as GGUF stores them.
     * Rejects widths that are not whole super-blocks and non-finite scales.
     */
    public static Packed pack(BlockRows src, int out, int in, KernelPool pool) {
        if (in <= 0 || in % QK_K != 0) throw new IllegalArgumentException("input width " + in + " is not a multiple of " + QK_K);
        int padded = blocks(out) * BLOCK, supers = in / QK_K;
        MemorySegment nibbles = PackedMemory.allocate(Math.multiplyExact(padded, in / 2)); // zeroed: the padding rows
        MemorySegment scales = Q8Gemv.newScales(padded / BLOCK * supers * 2 * BLOCK);
        MemorySegment subScales = PackedMemory.allocate((long) padded / BLOCK * (in / QK) * 2 * BLOCK);
        int chunks = (out + PACK_CHUNK_ROWS - 1) / PACK_CHUNK_ROWS;
        KernelPool.Task task = c -> {
            short[] d = new short[2 * supers];
            byte[] q = new byte[supers * K_DATA];
            int[] n = new int[QK_K];
            for (int o = c * PACK_CHUNK_ROWS; o < Math.min(out, (c + 1) * PACK_CHUNK_ROWS); o++) {
                src.row(o, d, q);
                for (int s = 0; s < supers; s++) {
                    for (int h = 0; h < 2; h++) {
                        if ((d[2 * s + h] & 0x7c00) == 0x7c00) throw new IllegalArgumentException("infinite or NaN scale in row " + o);
                        Q8Gemv.setScale(scales, sup(in, o, s) + h * BLOCK, Float.float16ToFloat(d[2 * s + h]));
                    }
                    int at = s * K_DATA;
                    for (int j = 0; j < 8; j++) {
                        subScales.set(ValueLayout.JAVA_BYTE, sub(in, o, 8 * s + j), (byte) scaleK(q, at, j));
                        subScales.set(ValueLayout.JAVA_BYTE, sub(in, o, 8 * s + j) + BLOCK, (byte) minK(q, at, j));
                    }
                    // 64 weights per 32 bytes: the low nibbles, then the high ones
                    for (int i = 0; i < QK_K; i++) n[i] = (q[at + 12 + (i / 64) * 32 + i % 32] >> (i % 64 < 32 ? 0 : 4)) & 0xF;
                    for (int b = 0; b < 8; b++)
                        for (int j = 0; j < 16; j++)
                            nibbles.set(ValueLayout.JAVA_BYTE, Q4Gemv.nibble(in, o, 8 * s + b, j), (byte) (n[32 * b + j] | n[32 * b + 16 + j] << 4));
                }
            }
        };
        if (pool == null) for (int c = 0; c < chunks; c++) task.run(c);
        else pool.run(chunks, task);
        return new Packed(nibbles, scales, subScales, out, in);
    }

    /** Bytes of a Q4_K super-block after its two f16 scales. */
    public static final int K_DATA = 140;

    /** Block {@code j}'s 6-bit scale among a Q4_K super-block's 12 scale bytes at {@code at}. */
    static int scaleK(byte[] q, int at, int j) {
        return j < 4 ? q[at + j] & 63 : (q[at + j + 4] & 0xF) | ((q[at + j - 4] & 0xFF) >> 6) << 4;
    }

    /** Block {@code j}'s 6-bit minimum among a Q4_K super-block's 12 scale bytes at {@code at}. */
    static int minK(byte[] q, int at, int j) {
        return j < 4 ? q[at + j + 4] & 63 : ((q[at + j + 4] & 0xFF) >> 4) | ((q[at + j] & 0xFF) >> 6) << 4;
    }

    /** The product in scalar code, in the kernels' order: the tests' reference, bit for bit. */
    public static void reference(Packed w, float[] x, int rows, float[] y) {
        int in = w.in(), out = w.out();
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < out; o++) {
                float acc = 0;
                for (int k = 0; k < in / QK; k++)
                    for (int j = 0; j < 16; j++) {
                        int i = k * QK + j;
                        acc = Math.fma(w.weight(o, i), x[b * in + i], acc);
                        acc = Math.fma(w.weight(o, i + 16), x[b * in + i + 16], acc);
                    }
                y[b * out + o] = acc;
            }
    }

    private static boolean warmed; // guarded by the class lock

    /** Has the JIT compile every tile before the first real product (see {@link F16Gemv#warmUp}). Once per JVM. */
    public static synchronized void warmUp() {
        if (warmed) return;
        warmed = true;
        int in = QK_K;
        int[] outs = {9 * BLOCK + 3, 7 * BLOCK};
        Packed[] m = new Packed[outs.length];
        for (int k = 0; k < outs.length; k++) {
            int salt = k;
            BlockRows rows = (o, d, q) -> {
                java.util.Arrays.fill(d, Float.floatToFloat16(0.01f));
                for (int i = 0; i < q.length; i++) q[i] = (byte) (o * 31 + i * 7 + salt);
            };
            m[k] = pack(rows, outs[k], in, null);
        }
        int[] rowCounts = {1, 2, 3, 5, 8, 9, 16, 40};
        float[] x = new float[40 * in];
        for (int i = 0; i < x.length; i++) x[i] = ((i * 13) % 29 - 14) / 7f;
        float[] y = new float[40 * outs[0]];
        for (int round = 0; round < 150; round++)
            for (Packed p : m)
                for (int rows : rowCounts) {
                    float[] padded = Q8Gemv.inputs(x, rows, in);
                    if (round % 2 == 0) {
                        multiply(p, padded, rows, y, 0, p.out());
                    } else {
                        multiply(p, padded, rows, y, 0, 4 * BLOCK);
                        multiply(p, padded, rows, y, 4 * BLOCK, p.out());
                    }
                }
    }

    /**
     * Output rows {@code [from, to)} for all {@code rows} inputs ({@code x} {@link Q8Gemv#inputs padded}).
     */
    public static void multiply(Packed w, float[] x, int rows, float[] y, int from, int to) {
        int out = w.out(), in = w.in();
        if (from % BLOCK != 0 || (to % BLOCK != 0 && to != out) || from > to || to > out)
            throw new IllegalArgumentException("output range [" + from + ", " + to + ") not on " + BLOCK + "-row blocks of " + out);
        if (x.length < (rows == 1 ? in : (rows + 7) / 8 * 8 * in)) throw new IllegalArgumentException("inputs not padded to groups of 8 rows");
        float[] tail = Q8Gemv.tail();
        int b0 = from / BLOCK, b1 = blocks(to);
        if (rows == 1) {
            // two blocks half the range apart (two weight streams, two chains): a four-block loop
            // as the f16 and Q8_0 kernels have compiled to code ten times slower than this one
            int half = (b1 - b0) / 2;
            for (int k = 0; k < half; k++) row1x2(w, x, y, b0 + k, half, tail);
            for (int blk = b0 + 2 * half; blk < b1; blk++) row1x1(w, x, y, blk, tail);
            return;
        }
        int groups = (rows + 7) / 8 * 8;
        for (int r0 = 0; r0 < groups; r0 += ROW_BLOCK) {
            int r1 = Math.min(groups, r0 + ROW_BLOCK);
            int blk = b0;
            if (F16Gemv.WIDE)
                for (; blk + 2 <= b1; blk += 2)
                    for (int b = r0; b < r1; b += 8) tile8x2(w, x, b, Math.min(8, rows - b), y, blk, tail);
            for (; blk < b1; blk++)
                for (int b = r0; b < r1; b += 8) {
                    int valid = Math.min(8, rows - b);
                    tile4x1(w, x, b, Math.min(4, valid), y, blk, tail);
                    if (valid > 4) tile4x1(w, x, b + 4, valid - 4, y, blk, tail);
                }
        }
    }

    /** One load: byte {@code j} of the block's {@code BLOCK} rows (two weights each). */
    private static ByteVector bytes(MemorySegment q, int at) {
        return ByteVector.fromMemorySegment(B, q, at, ByteOrder.LITTLE_ENDIAN);
    }

    /** Weights {@code fma(n, d, m)} of the low nibbles. */
    private static FloatVector low(ByteVector n, FloatVector d, FloatVector m) {
        return ((FloatVector) n.and((byte) 0xF).convertShape(VectorOperators.B2F, F, 0)).fma(d, m);
    }

    /** Weights {@code fma(n, d, m)} of the high nibbles, shifted down as 16-bit lanes (x86 has no byte shift). */
    private static FloatVector high(ByteVector n, FloatVector d, FloatVector m) {
        ByteVector h = n.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF);
        return ((FloatVector) h.convertShape(VectorOperators.B2F, F, 0)).fma(d, m);
    }

    /** Block {@code k}'s scales {@code d = D · sc} of output block {@code blk}. */
    private static FloatVector scale(Packed w, int blk, int k) {
        int kb = w.in() / QK;
        FloatVector sc = (FloatVector) ByteVector.fromMemorySegment(B, w.subScales(), (blk * kb + k) * 2 * BLOCK, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2F, F, 0);
        return sc.mul(Q8Gemv.scales(w.scales(), (blk * (w.in() / QK_K) + k / 8) * 2 * BLOCK));
    }

    /** Block {@code k}'s offsets {@code m = −(Dmin · mc)} of output block {@code blk}. */
    private static FloatVector offset(Packed w, int blk, int k) {
        int kb = w.in() / QK;
        FloatVector mc = (FloatVector) ByteVector.fromMemorySegment(B, w.subScales(), ((blk * kb + k) * 2 + 1) * BLOCK, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2F, F, 0);
        return mc.mul(Q8Gemv.scales(w.scales(), ((blk * (w.in() / QK_K) + k / 8) * 2 + 1) * BLOCK).neg());
    }

    private static void row1x1(Packed w, float[] x, float[] y, int blk, float[] tail) {
        int in = w.in(), kb = in / QK;
        MemorySegment q = w.nibbles();
        FloatVector a = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * (in / 2) + k * 16) * BLOCK, xa = k * QK;
            FloatVector d = scale(w, blk, k), m = offset(w, blk, k);
            for (int j = 0; j < 16; j++) {
                ByteVector n = bytes(q, qa + j * BLOCK);
                a = low(n, d, m).fma(FloatVector.broadcast(F, x[xa + j]), a);
                a = high(n, d, m).fma(FloatVector.broadcast(F, x[xa + 16 + j]), a);
            }
        }
        a.intoArray(tail, 0);
        Q8Gemv.copyTail(tail, 0, 1, y, w.out(), 0, blk);
    }

    /** Batch 1: blocks {@code blk} and {@code blk + gap}. */
    private static void row1x2(Packed w, float[] x, float[] y, int blk, int gap, float[] tail) {
        int in = w.in(), kb = in / QK, qStep = gap * (in / 2) * BLOCK;
        MemorySegment q = w.nibbles();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int q0 = (blk * (in / 2) + k * 16) * BLOCK, xa = k * QK;
            FloatVector d0 = scale(w, blk, k), d1 = scale(w, blk + gap, k);
            FloatVector m0 = offset(w, blk, k), m1 = offset(w, blk + gap, k);
            for (int j = 0, o = q0; j < 16; j++, o += BLOCK) {
                FloatVector lo = FloatVector.broadcast(F, x[xa + j]), hi = FloatVector.broadcast(F, x[xa + 16 + j]);
                ByteVector n = bytes(q, o), p = bytes(q, o + qStep);
                a0 = low(n, d0, m0).fma(lo, a0);
                a1 = low(p, d1, m1).fma(lo, a1);
                a0 = high(n, d0, m0).fma(hi, a0);
                a1 = high(p, d1, m1).fma(hi, a1);
            }
        }
        a0.intoArray(tail, 0);
        a1.intoArray(tail, BLOCK);
        Q8Gemv.copyTail(tail, 0, 1, y, w.out(), 0, blk);
        Q8Gemv.copyTail(tail, 1, 1, y, w.out(), 0, blk + gap);
    }

    /** Input rows {@code b..b+7} (the first {@code valid} real) × blocks {@code blk, blk+1} (AVX-512). */
    private static void tile8x2(Packed w, float[] x, int b, int valid, float[] y, int blk, float[] tail) {
        int in = w.in(), out = w.out(), kb = in / QK, qStep = (in / 2) * BLOCK;
        MemorySegment q = w.nibbles();
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in, x4 = x3 + in, x5 = x4 + in, x6 = x5 + in, x7 = x6 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F), c5 = FloatVector.zero(F), c6 = FloatVector.zero(F), c7 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * (in / 2) + k * 16) * BLOCK;
            FloatVector d = scale(w, blk, k), e = scale(w, blk + 1, k);
            FloatVector md = offset(w, blk, k), me = offset(w, blk + 1, k);
            for (int j = 0; j < 16; j++) {
                int i = k * QK + j;
                ByteVector n = bytes(q, qa + j * BLOCK), p = bytes(q, qa + qStep + j * BLOCK);
                for (int half = 0; half < 2; half++, i += 16) { // the low nibbles' input, then the high ones'
                    FloatVector u = half == 0 ? low(n, d, md) : high(n, d, md), v = half == 0 ? low(p, e, me) : high(p, e, me);
                    FloatVector t = FloatVector.broadcast(F, x[x0 + i]);
                    a0 = u.fma(t, a0);
                    c0 = v.fma(t, c0);
                    t = FloatVector.broadcast(F, x[x1 + i]);
                    a1 = u.fma(t, a1);
                    c1 = v.fma(t, c1);
                    t = FloatVector.broadcast(F, x[x2 + i]);
                    a2 = u.fma(t, a2);
                    c2 = v.fma(t, c2);
                    t = FloatVector.broadcast(F, x[x3 + i]);
                    a3 = u.fma(t, a3);
                    c3 = v.fma(t, c3);
                    t = FloatVector.broadcast(F, x[x4 + i]);
                    a4 = u.fma(t, a4);
                    c4 = v.fma(t, c4);
                    t = FloatVector.broadcast(F, x[x5 + i]);
                    a5 = u.fma(t, a5);
                    c5 = v.fma(t, c5);
                    t = FloatVector.broadcast(F, x[x6 + i]);
                    a6 = u.fma(t, a6);
                    c6 = v.fma(t, c6);
                    t = FloatVector.broadcast(F, x[x7 + i]);
                    a7 = u.fma(t, a7);
                    c7 = v.fma(t, c7);
                }
            }
        }
        a0.intoArray(tail, 0);
        a1.intoArray(tail, BLOCK);
        a2.intoArray(tail, 2 * BLOCK);
        a3.intoArray(tail, 3 * BLOCK);
        a4.intoArray(tail, 4 * BLOCK);
        a5.intoArray(tail, 5 * BLOCK);
        a6.intoArray(tail, 6 * BLOCK);
        a7.intoArray(tail, 7 * BLOCK);
        c0.intoArray(tail, 8 * BLOCK);
        c1.intoArray(tail, 9 * BLOCK);
        c2.intoArray(tail, 10 * BLOCK);
        c3.intoArray(tail, 11 * BLOCK);
        c4.intoArray(tail, 12 * BLOCK);
        c5.intoArray(tail, 13 * BLOCK);
        c6.intoArray(tail, 14 * BLOCK);
        c7.intoArray(tail, 15 * BLOCK);
        Q8Gemv.copyTail(tail, 0, valid, y, out, b, blk);
        Q8Gemv.copyTail(tail, 8, valid, y, out, b, blk + 1);
    }

    /** Input rows {@code b..b+3} (the first {@code valid} real) × block {@code blk}. */
    private static void tile4x1(Packed w, float[] x, int b, int valid, float[] y, int blk, float[] tail) {
        int in = w.in(), out = w.out(), kb = in / QK;
        MemorySegment q = w.nibbles();
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * (in / 2) + k * 16) * BLOCK;
            FloatVector d = scale(w, blk, k), md = offset(w, blk, k);
            for (int j = 0; j < 16; j++) {
                ByteVector n = bytes(q, qa + j * BLOCK);
                for (int half = 0, i = k * QK + j; half < 2; half++, i += 16) {
                    FloatVector u = half == 0 ? low(n, d, md) : high(n, d, md);
                    a0 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a0);
                    a1 = u.fma(FloatVector.broadcast(F, x[x1 + i]), a1);
                    a2 = u.fma(FloatVector.broadcast(F, x[x2 + i]), a2);
                    a3 = u.fma(FloatVector.broadcast(F, x[x3 + i]), a3);
                }
            }
        }
        a0.intoArray(tail, 0);
        a1.intoArray(tail, BLOCK);
        a2.intoArray(tail, 2 * BLOCK);
        a3.intoArray(tail, 3 * BLOCK);
        Q8Gemv.copyTail(tail, 0, valid, y, out, b, blk);
    }
}
