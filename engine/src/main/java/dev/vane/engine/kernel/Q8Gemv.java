package dev.vane.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Matrix products over Q8_0 weights (GGML's 8-bit format) in Java SIMD:
 * <pre>
 *   W[o, i] = d[o, i/32] · q[o, i]        d an f16 scale per 32 weights, q an int8
 *   y[b, o] = Σ_i  W[o, i] · x[b, i]      x f32, y f32
 * </pre>
 * A row of {@code in} weights is {@code in / 32} blocks of one scale and 32 integers: 34 bytes per
 * 32 weights against 64 in f16, so a decode step, which reads every weight once, reads about half
 * the bytes. The activations stay f32. A weight is formed exactly in f32 ({@code d · q} is an
 * 11-bit by 8-bit product), so the only roundings are those of the sums, as in the f16 kernels.
 *
 * <p><b>Layout.</b> Output rows are {@link #pack packed} in blocks of {@link #BLOCK} (one float
 * vector: 16 on AVX-512, 8 on AVX2), the last block padded with zero rows. Inside an output block,
 * quantisation block {@code k} holds the {@code BLOCK} scales (as f32) and then, input by input,
 * the {@code BLOCK} int8 weights of that input ({@link #scale}, {@link #quant}): one load of
 * {@code BLOCK} bytes, a conversion and a multiply by the scales' vector give one input's weights
 * for all the block's outputs, so an accumulator vector holds {@code BLOCK} outputs and no
 * horizontal sum is needed.
 *
 * <p><b>One order everywhere.</b> Every output is one fused multiply-add chain over the inputs in
 * increasing order, {@code y = fma(d·q, x, y)} from zero, whichever tile computes it (batch 1 over
 * four blocks; 8 rows × 2 blocks on AVX-512, each weight vector formed once and each input
 * broadcast once for two blocks; 4-row tiles on AVX2): a row of a batch gets the bits of its solo
 * product, in every JIT tier and at either vector width, and {@link #reference} is the same chain
 * in scalar code.
 */
public final class Q8Gemv {

    /** Weights per quantisation block (one scale each). */
    public static final int QK = 32;
    private static final VectorSpecies<Float> F = F16Gemv.WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = F16Gemv.WIDE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    /** Output rows per packed block (one vector of outputs). */
    public static final int BLOCK = F.length();
    /** Input rows per pass over the weights, so that those inputs stay in L2 while the weights stream past. */
    static final int ROW_BLOCK = 32;
    /** Rows per chunk of a parallel packing (a multiple of every {@link #BLOCK}). */
    private static final int PACK_CHUNK_ROWS = 256;

    private Q8Gemv() {}

    private static boolean warmed; // guarded by the class lock

    /**
     * Has the JIT compile every kernel path before the first real product (batch 1's four-block
     * loop and its remainder, whole and padded row groups, several row passes, a padded last
     * block), as {@link F16Gemv#warmUp} does for the f16 kernels: vector code that C2 has not
     * compiled runs the Vector API's allocating Java fallback. Once per JVM.
     */
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
                for (int i = 0; i < q.length; i++) q[i] = (byte) ((o * 31 + i * 7 + salt) % 255 - 127);
            }, outs[k], in, null);
        }
        int[] rowCounts = {1, 2, 3, 5, 8, 9, 16, 40};
        float[] x = new float[40 * in];
        for (int i = 0; i < x.length; i++) x[i] = ((i * 13) % 29 - 14) / 7f;
        float[] y = new float[40 * outs[0]];
        for (int round = 0; round < 400; round++)
            for (Packed p : m)
                for (int rows : rowCounts) {
                    float[] padded = inputs(x, rows, in);
                    if (round % 2 == 0) {
                        multiply(p, padded, rows, y, 0, p.out());
                    } else { // two chunks, as a pool cuts a product
                        multiply(p, padded, rows, y, 0, 4 * BLOCK);
                        multiply(p, padded, rows, y, 4 * BLOCK, p.out());
                    }
                }
    }

    /**
     * A matrix in the packed layout (see the class comment), outside the Java heap ({@link PackedMemory}:
     * page-aligned, as {@link F16Gemv.Packed}).
     *
     * @param quants {@code blocks(out) · in · BLOCK} int8 weights
     * @param scales {@code blocks(out) · in / QK · BLOCK} scales (f16 values held as little-endian f32)
     */
    public record Packed(MemorySegment quants, MemorySegment scales, int out, int in) {
        /** The weight {@code W[o, i] = d · q} as f32 (exact: an 11-bit by 8-bit product). */
        public float weight(int o, int i) {
            return scale(scales, scale(in, o, i / QK)) * quants.get(ValueLayout.JAVA_BYTE, quant(in, o, i));
        }

        /** Bytes of the packed weights and scales. */
        public long bytes() { return quants.byteSize() + scales.byteSize(); }
    }

    /** A packed scale: a little-endian f32. */
    private static final ValueLayout.OfFloat SCALE = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The {@link #BLOCK} scales at {@code at} of packed scales (this format's and {@link Q4Gemv}'s). */
    static FloatVector scales(MemorySegment s, int at) {
        return FloatVector.fromMemorySegment(F, s, 4L * at, ByteOrder.LITTLE_ENDIAN);
    }

    /** Scale {@code at} of packed scales. */
    static float scale(MemorySegment s, int at) {
        return s.getAtIndex(SCALE, at);
    }

    /** Sets scale {@code at} of packed scales. */
    static void setScale(MemorySegment s, int at, float d) {
        s.setAtIndex(SCALE, at, d);
    }

    /** {@code n} packed scales, zeroed (the padding rows'), 64-byte aligned outside the heap. */
    static MemorySegment newScales(int n) {
        return PackedMemory.allocate(4L * n);
    }

    /** Whether a matrix of input width {@code in} can be held in Q8_0 (whole blocks of 32). */
    public static boolean fits(long in) { return in > 0 && in % QK == 0; }

    /** Blocks of {@link #BLOCK} output rows that hold {@code out} rows. */
    public static int blocks(int out) { return (out + BLOCK - 1) / BLOCK; }

    /** Where scale {@code d[o, k]} lies in the packed scales. */
    static int scale(int in, int o, int k) {
        return ((o / BLOCK) * (in / QK) + k) * BLOCK + o % BLOCK;
    }

    /** Where {@code q[o, i]} lies in the packed weights. */
    static int quant(int in, int o, int i) {
        return ((o / BLOCK) * in + i) * BLOCK + o % BLOCK;
    }

    /**
     * Packs the rows of an {@code [out, in]} Q8_0 matrix, in chunks of rows spread over
     * {@code pool} (the calling thread when null). Rejects an infinite or NaN scale.
     */
    public static Packed pack(BlockRows src, int out, int in, KernelPool pool) {
        if (!fits(in)) throw new IllegalArgumentException("input width " + in + " is not a multiple of " + QK);
        int padded = blocks(out) * BLOCK;
        MemorySegment quants = PackedMemory.allocate(Math.multiplyExact(padded, in)); // zeroed: the padding rows
        MemorySegment scales = newScales(padded / BLOCK * (in / QK) * BLOCK);
        int chunks = (out + PACK_CHUNK_ROWS - 1) / PACK_CHUNK_ROWS;
        KernelPool.Task task = c -> {
            short[] d = new short[in / QK];
            byte[] q = new byte[in];
            for (int o = c * PACK_CHUNK_ROWS; o < Math.min(out, (c + 1) * PACK_CHUNK_ROWS); o++) {
                src.row(o, d, q);
                for (int k = 0; k < d.length; k++) {
                    if ((d[k] & 0x7c00) == 0x7c00) throw new IllegalArgumentException("infinite or NaN scale in row " + o);
                    setScale(scales, scale(in, o, k), Float.float16ToFloat(d[k]));
                }
                int at = quant(in, o, 0);
                for (int i = 0; i < in; i++, at += BLOCK) quants.set(ValueLayout.JAVA_BYTE, at, q[i]);
            }
        };
        if (pool == null) for (int c = 0; c < chunks; c++) task.run(c);
        else pool.run(chunks, task);
        return new Packed(quants, scales, out, in);
    }

    /**
     * Quantises {@code x[from .. from + n)} ({@code n} a multiple of 32) as GGML's reference
     * quantiser does: per block {@code d = max|x| / 127}, {@code q = round(x / d)} (computed as
     * {@code x · (1/d)}, halves away from zero), {@code d} stored as the nearest f16.
     */
    public static void quantize(float[] x, int from, int n, short[] scales, byte[] quants) {
        if (n % QK != 0) throw new IllegalArgumentException("length " + n + " is not a multiple of " + QK);
        for (int k = 0; k < n / QK; k++) {
            float amax = 0;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[from + k * QK + j]));
            float d = amax / 127;
            float id = d != 0 ? 1 / d : 0;
            scales[k] = Float.floatToFloat16(d);
            for (int j = 0; j < QK; j++) quants[k * QK + j] = (byte) roundHalfAway(x[from + k * QK + j] * id);
        }
    }

    /** C's {@code roundf}: to the nearest integer, halves away from zero. */
    static int roundHalfAway(float v) {
        float a = Math.abs(v), r = (float) Math.floor(a);
        if (a - r >= 0.5f) r += 1;
        return (int) Math.copySign(r, v);
    }

    /**
     * The product in scalar code, in the kernels' order (see the class comment): the reference the
     * tests hold the kernels to, bit for bit.
     */
    public static void reference(Packed w, float[] x, int rows, float[] y) {
        int in = w.in(), out = w.out();
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < out; o++) {
                float acc = 0;
                for (int i = 0; i < in; i++)
                    acc = Math.fma(w.weight(o, i), x[b * in + i], acc);
                y[b * out + o] = acc;
            }
    }

    /** Per thread: stores of a padded last block, and a padded copy of the inputs. */
    private static final class Buffers {
        final float[] tail = new float[16 * BLOCK];
        float[] padded = new float[0];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** The calling thread's buffer for the stores of padded blocks and groups (16 vectors). */
    static float[] tail() { return BUFFERS.get().tail; }

    /**
     * The inputs as the tiles read them: {@code x} itself for one row or whole groups of eight,
     * else a copy padded with zero rows to a multiple of eight (their outputs are dropped); the
     * calling thread's buffer, valid until its next call.
     */
    public static float[] inputs(float[] x, int rows, int in) {
        if (rows == 1 || rows % 8 == 0) return x;
        int n = (rows + 7) / 8 * 8 * in;
        Buffers buf = BUFFERS.get();
        if (buf.padded.length < n) buf.padded = new float[n];
        System.arraycopy(x, 0, buf.padded, 0, rows * in);
        java.util.Arrays.fill(buf.padded, rows * in, n, 0f);
        return buf.padded;
    }

    /**
     * Output rows {@code [from, to)} for all {@code rows} inputs.
     *
     * @param x    {@code [rows, in]}, {@link #inputs padded}
     * @param y    {@code [rows, out]}
     * @param from a multiple of {@link #BLOCK}
     * @param to   a multiple of {@link #BLOCK}, or {@code out}
     */
    public static void multiply(Packed w, float[] x, int rows, float[] y, int from, int to) {
        int out = w.out(), in = w.in();
        if (from % BLOCK != 0 || (to % BLOCK != 0 && to != out) || from > to || to > out)
            throw new IllegalArgumentException("output range [" + from + ", " + to + ") not on " + BLOCK + "-row blocks of " + out);
        if (x.length < (rows == 1 ? in : (rows + 7) / 8 * 8 * in)) throw new IllegalArgumentException("inputs not padded to groups of 8 rows");
        float[] tail = BUFFERS.get().tail;
        MemorySegment q = w.quants(), s = w.scales();
        int b0 = from / BLOCK, b1 = blocks(to);
        if (rows == 1) {
            // four blocks a quarter of the range apart: four weight streams and four chains in flight
            int quarter = (b1 - b0) / 4;
            for (int k = 0; k < quarter; k++) row1x4(q, s, in, out, x, y, b0 + k, quarter, tail);
            for (int blk = b0 + 4 * quarter; blk < b1; blk++) row1x1(q, s, in, out, x, y, blk, tail);
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
                    if (F16Gemv.WIDE) {
                        tile8x1(q, s, in, out, x, b, valid, y, blk, tail);
                    } else { // eight accumulators and their operands fit AVX2's sixteen registers, sixteen would not
                        tile4x1(q, s, in, out, x, b, Math.min(4, valid), y, blk, tail);
                        if (valid > 4) tile4x1(q, s, in, out, x, b + 4, valid - 4, y, blk, tail);
                    }
                }
        }
    }

    /** The weights of input {@code i} of quantisation block {@code at}'s outputs, as floats. */
    private static FloatVector w(MemorySegment q, int at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, at, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2F, F, 0);
    }


    /** One input row × one block. */
    private static void row1x1(MemorySegment q, MemorySegment s, int in, int out, float[] x, float[] y, int blk, float[] tail) {
        int kb = in / QK;
        FloatVector a = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * in + k * QK) * BLOCK, xa = k * QK;
            FloatVector d = scales(s, (blk * kb + k) * BLOCK);
            for (int j = 0; j < QK; j++) a = w(q, qa + j * BLOCK).mul(d).fma(FloatVector.broadcast(F, x[xa + j]), a);
        }
        a.intoArray(tail, 0);
        copyTail(tail, 0, 1, y, out, 0, blk);
    }

    /** Batch 1: blocks {@code blk + m·gap}, m = 0..3: four weight streams and four chains in flight. */
    private static void row1x4(MemorySegment q, MemorySegment s, int in, int out, float[] x, float[] y, int blk, int gap, float[] tail) {
        int kb = in / QK, qStep = gap * in * BLOCK, sStep = gap * kb * BLOCK;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int q0 = (blk * in + k * QK) * BLOCK, q1 = q0 + qStep, q2 = q1 + qStep, q3 = q2 + qStep, xa = k * QK;
            int s0 = (blk * kb + k) * BLOCK;
            FloatVector d0 = scales(s, s0), d1 = scales(s, s0 + sStep);
            FloatVector d2 = scales(s, s0 + 2 * sStep), d3 = scales(s, s0 + 3 * sStep);
            for (int j = 0, o = 0; j < QK; j++, o += BLOCK) {
                FloatVector xv = FloatVector.broadcast(F, x[xa + j]);
                a0 = w(q, q0 + o).mul(d0).fma(xv, a0);
                a1 = w(q, q1 + o).mul(d1).fma(xv, a1);
                a2 = w(q, q2 + o).mul(d2).fma(xv, a2);
                a3 = w(q, q3 + o).mul(d3).fma(xv, a3);
            }
        }
        if ((blk + 3 * gap + 1) * BLOCK <= out) {
            a0.intoArray(y, blk * BLOCK);
            a1.intoArray(y, (blk + gap) * BLOCK);
            a2.intoArray(y, (blk + 2 * gap) * BLOCK);
            a3.intoArray(y, (blk + 3 * gap) * BLOCK);
        } else {
            a0.intoArray(tail, 0);
            a1.intoArray(tail, BLOCK);
            a2.intoArray(tail, 2 * BLOCK);
            a3.intoArray(tail, 3 * BLOCK);
            for (int m = 0; m < 4; m++) copyTail(tail, m, 1, y, out, 0, blk + m * gap);
        }
    }

    /**
     * Input rows {@code b..b+7} (the first {@code valid} real) × blocks {@code blk, blk+1}: sixteen
     * accumulators (AVX-512 has 32 registers), each weight vector formed once for eight rows and
     * each broadcast input feeding two blocks.
     */
    private static void tile8x2(MemorySegment q, MemorySegment s, int in, int out, float[] x, int b, int valid, float[] y, int blk, float[] tail) {
        int kb = in / QK, qStep = in * BLOCK, sStep = kb * BLOCK;
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in, x4 = x3 + in, x5 = x4 + in, x6 = x5 + in, x7 = x6 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F), c5 = FloatVector.zero(F), c6 = FloatVector.zero(F), c7 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * in + k * QK) * BLOCK, sa = (blk * kb + k) * BLOCK;
            FloatVector d = scales(s, sa), e = scales(s, sa + sStep);
            for (int j = 0, i = k * QK; j < QK; j++, i++) {
                FloatVector u = w(q, qa + j * BLOCK).mul(d), v = w(q, qa + qStep + j * BLOCK).mul(e);
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
        int o = blk * BLOCK;
        if (valid == 8 && o + 2 * BLOCK <= out) {
            int r = b * out + o;
            a0.intoArray(y, r);
            c0.intoArray(y, r + BLOCK);
            a1.intoArray(y, r + out);
            c1.intoArray(y, r + out + BLOCK);
            a2.intoArray(y, r + 2 * out);
            c2.intoArray(y, r + 2 * out + BLOCK);
            a3.intoArray(y, r + 3 * out);
            c3.intoArray(y, r + 3 * out + BLOCK);
            a4.intoArray(y, r + 4 * out);
            c4.intoArray(y, r + 4 * out + BLOCK);
            a5.intoArray(y, r + 5 * out);
            c5.intoArray(y, r + 5 * out + BLOCK);
            a6.intoArray(y, r + 6 * out);
            c6.intoArray(y, r + 6 * out + BLOCK);
            a7.intoArray(y, r + 7 * out);
            c7.intoArray(y, r + 7 * out + BLOCK);
        } else { // a padded group (only its real rows go to y) or a padded last block
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
            copyTail(tail, 0, valid, y, out, b, blk);
            copyTail(tail, 8, valid, y, out, b, blk + 1);
        }
    }

    /** Input rows {@code b..b+7} (the first {@code valid} real) × block {@code blk} (an odd last block). */
    private static void tile8x1(MemorySegment q, MemorySegment s, int in, int out, float[] x, int b, int valid, float[] y, int blk, float[] tail) {
        int kb = in / QK;
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in, x4 = x3 + in, x5 = x4 + in, x6 = x5 + in, x7 = x6 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * in + k * QK) * BLOCK;
            FloatVector d = scales(s, (blk * kb + k) * BLOCK);
            for (int j = 0, i = k * QK; j < QK; j++, i++) {
                FloatVector u = w(q, qa + j * BLOCK).mul(d);
                a0 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a0);
                a1 = u.fma(FloatVector.broadcast(F, x[x1 + i]), a1);
                a2 = u.fma(FloatVector.broadcast(F, x[x2 + i]), a2);
                a3 = u.fma(FloatVector.broadcast(F, x[x3 + i]), a3);
                a4 = u.fma(FloatVector.broadcast(F, x[x4 + i]), a4);
                a5 = u.fma(FloatVector.broadcast(F, x[x5 + i]), a5);
                a6 = u.fma(FloatVector.broadcast(F, x[x6 + i]), a6);
                a7 = u.fma(FloatVector.broadcast(F, x[x7 + i]), a7);
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
        copyTail(tail, 0, valid, y, out, b, blk);
    }

    /** Input rows {@code b..b+3} (the first {@code valid} real) × block {@code blk} (the AVX2 tile). */
    private static void tile4x1(MemorySegment q, MemorySegment s, int in, int out, float[] x, int b, int valid, float[] y, int blk, float[] tail) {
        int kb = in / QK;
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int k = 0; k < kb; k++) {
            int qa = (blk * in + k * QK) * BLOCK;
            FloatVector d = scales(s, (blk * kb + k) * BLOCK);
            for (int j = 0, i = k * QK; j < QK; j++, i++) {
                FloatVector u = w(q, qa + j * BLOCK).mul(d);
                a0 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a0);
                a1 = u.fma(FloatVector.broadcast(F, x[x1 + i]), a1);
                a2 = u.fma(FloatVector.broadcast(F, x[x2 + i]), a2);
                a3 = u.fma(FloatVector.broadcast(F, x[x3 + i]), a3);
            }
        }
        a0.intoArray(tail, 0);
        a1.intoArray(tail, BLOCK);
        a2.intoArray(tail, 2 * BLOCK);
        a3.intoArray(tail, 3 * BLOCK);
        copyTail(tail, 0, valid, y, out, b, blk);
    }

    /**
     * Copies rows {@code b .. b + rows} of block {@code blk}, stored to {@code tail} one vector per
     * row from vector {@code slot} on, into {@code y}: as many outputs as the (padded) last block
     * really has. Vectors never cross this call (a vector argument to a call that is not inlined is
     * boxed).
     */
    static void copyTail(float[] tail, int slot, int rows, float[] y, int out, int b, int blk) {
        int o = blk * BLOCK, n = Math.min(BLOCK, out - o);
        for (int r = 0; r < rows; r++) System.arraycopy(tail, (slot + r) * BLOCK, y, (b + r) * out + o, n);
    }
}
