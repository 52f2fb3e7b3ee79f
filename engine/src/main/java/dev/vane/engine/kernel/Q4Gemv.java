package dev.vane.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Matrix products over Q4_0 weights (GGML's 4-bit format) in Java SIMD:
 * <pre>
 *   W[o, i] = d[o, i/32] · (n[o, i] − 8)     d an f16 scale per 32 weights, n a 4-bit unsigned
 *   y[b, o] = Σ_i  W[o, i] · x[b, i]
 * </pre>
 * A block of 32 weights is its scale and 16 bytes, byte {@code j} holding weight {@code j} in its
 * low nibble and weight {@code j + 16} in its high one: 18 bytes per 32 weights, a quarter of f16.
 * Activations stay f32 and each weight is formed exactly (an 11-bit by 4-bit product): a low
 * nibble as {@code fma(n, d, −8d)}, a high one as {@code ((b & 0xF0) ^ 0x80) · d/16}, the byte
 * read as a signed {@code 16·(n − 8)} (x86 has no byte shift; the shift cost a third of batch 1).
 *
 * <p><b>Layout</b> as {@link Q8Gemv}'s: output rows in blocks of {@link #BLOCK} (one float vector),
 * per quantisation block {@code k} the {@code BLOCK} scales (as f32) and then, for
 * {@code j = 0..15}, the {@code BLOCK} rows' byte {@code j}: one load gives two inputs' weights
 * ({@code 32k + j} and {@code 32k + 16 + j}) for the whole block.
 *
 * <p><b>One order everywhere.</b> Every output is one FMA chain from zero over the inputs of each
 * block in the order the bytes hold them, {@code 32k + j} then {@code 32k + 16 + j} for
 * {@code j = 0..15}, the blocks in increasing order, whichever tile computes it (batch 1 over two
 * output blocks; 8 rows × 2 blocks on AVX-512; 4-row tiles on AVX2): a batch row equals its solo
 * product bit for bit, and {@link #reference} is that chain in scalar code.
 */
public final class Q4Gemv {

    /** Weights per quantisation block (one scale each). */
    public static final int QK = 32;
    private static final VectorSpecies<Float> F = F16Gemv.WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = F16Gemv.WIDE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    /** Output rows per packed block. */
    public static final int BLOCK = F.length();
    private static final int ROW_BLOCK = 32;
    private static final int PACK_CHUNK_ROWS = 256;

    private Q4Gemv() {}

    /**
     * A matrix in the packed layout, outside the Java heap ({@link PackedMemory}, as
     * {@link Q8Gemv.Packed}).
     *
     * @param nibbles {@code blocks(out) · in/2 · BLOCK} bytes, two weights each
     * @param scales  {@code blocks(out) · in/32 · BLOCK} scales (f16 values held as little-endian f32)
     */
    public record Packed(MemorySegment nibbles, MemorySegment scales, int out, int in) {
        /** The weight {@code W[o, i]} as f32 (exact). */
        public float weight(int o, int i) {
            int r = i % QK, b = nibbles.get(ValueLayout.JAVA_BYTE, nibble(in, o, i / QK, r % 16));
            int n = r < 16 ? b & 0xF : (b >> 4) & 0xF;
            return Q8Gemv.scale(scales, Q8Gemv.scale(in, o, i / QK)) * (n - 8);
        }

        public long bytes() { return nibbles.byteSize() + scales.byteSize(); }
    }

    public static int blocks(int out) { return (out + BLOCK - 1) / BLOCK; }

    /** Where byte {@code j} of quantisation block {@code k} of row {@code o} lies. */
    static int nibble(int in, int o, int k, int j) {
        return ((o / BLOCK) * (in / 2) + k * 16 + j) * BLOCK + o % BLOCK;
    }

    /** Packs the rows of an {@code [out, in]} Q4_0 matrix on {@code pool} (this thread when null); rejects non-finite scales. */
    public static Packed pack(BlockRows src, int out, int in, KernelPool pool) {
        if (!Q8Gemv.fits(in)) throw new IllegalArgumentException("input width " + in + " is not a multiple of " + QK);
        int padded = blocks(out) * BLOCK;
        MemorySegment nibbles = PackedMemory.allocate(Math.multiplyExact(padded, in / 2)); // zeroed: the padding rows
        MemorySegment scales = Q8Gemv.newScales(padded / BLOCK * (in / QK) * BLOCK);
        int chunks = (out + PACK_CHUNK_ROWS - 1) / PACK_CHUNK_ROWS;
        KernelPool.Task task = c -> {
            short[] d = new short[in / QK];
            byte[] q = new byte[in / 2];
            for (int o = c * PACK_CHUNK_ROWS; o < Math.min(out, (c + 1) * PACK_CHUNK_ROWS); o++) {
                src.row(o, d, q);
                for (int k = 0; k < d.length; k++) {
                    if ((d[k] & 0x7c00) == 0x7c00) throw new IllegalArgumentException("infinite or NaN scale in row " + o);
                    Q8Gemv.setScale(scales, Q8Gemv.scale(in, o, k), Float.float16ToFloat(d[k]));
                    for (int j = 0; j < 16; j++) nibbles.set(ValueLayout.JAVA_BYTE, nibble(in, o, k, j), q[k * 16 + j]);
                }
            }
        };
        if (pool == null) for (int c = 0; c < chunks; c++) task.run(c);
        else pool.run(chunks, task);
        return new Packed(nibbles, scales, out, in);
    }

    /**
     * Quantises {@code x[from .. from + n)} as GGML's reference quantiser does: per block the value
     * {@code m} of largest magnitude gives {@code d = m / −8}; {@code n = min(15, trunc(x/d + 8.5))}
     * (computed with {@code 1/d}); {@code d} stored as the nearest f16.
     */
    public static void quantize(float[] x, int from, int n, short[] scales, byte[] nibbles) {
        if (n % QK != 0) throw new IllegalArgumentException("length " + n + " is not a multiple of " + QK);
        for (int k = 0; k < n / QK; k++) {
            int at = from + k * QK;
            float amax = 0, max = 0;
            for (int j = 0; j < QK; j++) {
                float v = x[at + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8, id = d != 0 ? 1 / d : 0;
            scales[k] = Float.floatToFloat16(d);
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (x[at + j] * id + 8.5f)), hi = Math.min(15, (int) (x[at + 16 + j] * id + 8.5f));
                nibbles[k * 16 + j] = (byte) (lo | hi << 4);
            }
        }
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
        int in = 64;
        int[] outs = {9 * BLOCK + 3, 7 * BLOCK};
        Packed[] m = new Packed[outs.length];
        for (int k = 0; k < outs.length; k++) {
            int salt = k;
            m[k] = pack((o, d, q) -> {
                java.util.Arrays.fill(d, Float.floatToFloat16(0.01f));
                for (int i = 0; i < q.length; i++) q[i] = (byte) (o * 31 + i * 7 + salt);
            }, outs[k], in, null);
        }
        int[] rowCounts = {1, 2, 3, 5, 8, 9, 16, 40};
        float[] x = new float[40 * in];
        for (int i = 0; i < x.length; i++) x[i] = ((i * 13) % 29 - 14) / 7f;
        float[] y = new float[40 * outs[0]];
        for (int round = 0; round < 400; round++)
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
        MemorySegment q = w.nibbles(), s = w.scales();
        int b0 = from / BLOCK, b1 = blocks(to);
        if (rows == 1) {
            // two blocks half the range apart (two weight streams, two chains): a four-block loop
            // as the f16 and Q8_0 kernels have compiled to code ten times slower than this one
            int half = (b1 - b0) / 2;
            for (int k = 0; k < half; k++) row1x2(q, s, in, out, x, y, b0 + k, half, tail);
            for (int blk = b0 + 2 * half; blk < b1; blk++) row1x1(q, s, in, out, x, y, blk, tail);
            return;
        }
        int groups = (rows + 7) / 8 * 8;
        for (int r0 = 0; r0 < groups; r0 += ROW_BLOCK) {
            int r1 = Math.min(groups, r0 + ROW_BLOCK);
            int blk = b0;
            if (F16Gemv.WIDE)
                for (; blk + 2 <= b1; blk += 2)
                    for (int b = r0; b < r1; b += 8) tile8x2(q, s, in, out, x, b, Math.min(8, rows - b), y, blk, tail);
            for (; blk < b1; blk++)
                for (int b = r0; b < r1; b += 8) {
                    int valid = Math.min(8, rows - b);
                    tile4x1(q, s, in, out, x, b, Math.min(4, valid), y, blk, tail);
                    if (valid > 4) tile4x1(q, s, in, out, x, b + 4, valid - 4, y, blk, tail);
                }
        }
    }

    /** One load: byte {@code j} of the block's {@code BLOCK} rows (two weights each). */
    private static ByteVector bytes(MemorySegment q, int at) {
        return ByteVector.fromMemorySegment(B, q, at, ByteOrder.LITTLE_ENDIAN);
    }

    /** Weights {@code d·(n − 8)} of the low nibbles, exactly (an 11-bit by 4-bit product): {@code fma(n, d, −8d)}. */
    private static FloatVector low(ByteVector n, FloatVector d, FloatVector m) {
        return ((FloatVector) n.and((byte) 0xF).convertShape(VectorOperators.B2F, F, 0)).fma(d, m);
    }

    /** Weights of the high nibbles, given {@code h = d/16} (exact: a power of two). */
    private static FloatVector high(ByteVector n, FloatVector h) {
        // (b & 0xF0) ^ 0x80 read as a signed byte is 16·(n − 8): no byte shift (x86 has none), and
        // times d/16 it is the weight, exactly
        return ((FloatVector) n.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80).convertShape(VectorOperators.B2F, F, 0)).mul(h);
    }

    private static void row1x1(MemorySegment q, MemorySegment s, int in, int out, float[] x, float[] y, int blk, float[] tail) {
        int kb = in / QK;
        FloatVector a = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * (in / 2) + k * 16) * BLOCK, xa = k * QK;
            FloatVector d = Q8Gemv.scales(s, (blk * kb + k) * BLOCK), md = d.mul(-8f), hd = d.mul(0.0625f);
            for (int j = 0; j < 16; j++) {
                ByteVector n = bytes(q, qa + j * BLOCK);
                a = low(n, d, md).fma(FloatVector.broadcast(F, x[xa + j]), a);
                a = high(n, hd).fma(FloatVector.broadcast(F, x[xa + 16 + j]), a);
            }
        }
        a.intoArray(tail, 0);
        Q8Gemv.copyTail(tail, 0, 1, y, out, 0, blk);
    }

    /** Batch 1: blocks {@code blk} and {@code blk + gap}. */
    private static void row1x2(MemorySegment q, MemorySegment s, int in, int out, float[] x, float[] y, int blk, int gap, float[] tail) {
        int kb = in / QK, qStep = gap * (in / 2) * BLOCK, sStep = gap * kb * BLOCK;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int q0 = (blk * (in / 2) + k * 16) * BLOCK, xa = k * QK, s0 = (blk * kb + k) * BLOCK;
            FloatVector d0 = Q8Gemv.scales(s, s0), d1 = Q8Gemv.scales(s, s0 + sStep);
            FloatVector m0 = d0.mul(-8f), m1 = d1.mul(-8f), h0 = d0.mul(0.0625f), h1 = d1.mul(0.0625f);
            for (int j = 0, o = q0; j < 16; j++, o += BLOCK) {
                FloatVector lo = FloatVector.broadcast(F, x[xa + j]), hi = FloatVector.broadcast(F, x[xa + 16 + j]);
                ByteVector n = bytes(q, o), p = bytes(q, o + qStep);
                a0 = low(n, d0, m0).fma(lo, a0);
                a1 = low(p, d1, m1).fma(lo, a1);
                a0 = high(n, h0).fma(hi, a0);
                a1 = high(p, h1).fma(hi, a1);
            }
        }
        a0.intoArray(tail, 0);
        a1.intoArray(tail, BLOCK);
        Q8Gemv.copyTail(tail, 0, 1, y, out, 0, blk);
        Q8Gemv.copyTail(tail, 1, 1, y, out, 0, blk + gap);
    }

    /** Input rows {@code b..b+7} (the first {@code valid} real) × blocks {@code blk, blk+1} (AVX-512). */
    private static void tile8x2(MemorySegment q, MemorySegment s, int in, int out, float[] x, int b, int valid, float[] y, int blk, float[] tail) {
        int kb = in / QK, qStep = (in / 2) * BLOCK, sStep = kb * BLOCK;
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in, x4 = x3 + in, x5 = x4 + in, x6 = x5 + in, x7 = x6 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F), c5 = FloatVector.zero(F), c6 = FloatVector.zero(F), c7 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * (in / 2) + k * 16) * BLOCK, sa = (blk * kb + k) * BLOCK;
            FloatVector d = Q8Gemv.scales(s, sa), e = Q8Gemv.scales(s, sa + sStep);
            FloatVector md = d.mul(-8f), me = e.mul(-8f), hd = d.mul(0.0625f), he = e.mul(0.0625f);
            for (int j = 0; j < 16; j++) {
                int i = k * QK + j;
                ByteVector n = bytes(q, qa + j * BLOCK), p = bytes(q, qa + qStep + j * BLOCK);
                for (int half = 0; half < 2; half++, i += 16) { // the low nibbles' input, then the high ones'
                    FloatVector u = half == 0 ? low(n, d, md) : high(n, hd), v = half == 0 ? low(p, e, me) : high(p, he);
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
    private static void tile4x1(MemorySegment q, MemorySegment s, int in, int out, float[] x, int b, int valid, float[] y, int blk, float[] tail) {
        int kb = in / QK;
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * (in / 2) + k * 16) * BLOCK;
            FloatVector d = Q8Gemv.scales(s, (blk * kb + k) * BLOCK), md = d.mul(-8f), hd = d.mul(0.0625f);
            for (int j = 0; j < 16; j++) {
                ByteVector n = bytes(q, qa + j * BLOCK);
                for (int half = 0, i = k * QK + j; half < 2; half++, i += 16) {
                    FloatVector u = half == 0 ? low(n, d, md) : high(n, hd);
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
