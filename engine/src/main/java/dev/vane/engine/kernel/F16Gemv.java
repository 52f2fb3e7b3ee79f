package dev.vane.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products over f16 weights in Java SIMD (AVX2-width vectors):
 * <pre>
 *   y[b, o] = Σ_i  f32(W[o, i]) · x[b, i]        W: [out, in] f16, x: [B, in] f32
 * </pre>
 * Why not PyTorch: at one or a few rows PyTorch's CPU f16 GEMV reads weights at a third of the
 * memory bandwidth on AVX2 machines, and decode is bound by reading every weight once per token
 * (see {@code docs/performance.md}).
 *
 * <p><b>Layout.</b> The weights are {@link #pack packed} in blocks of 8 output rows, input-major
 * inside a block: {@code packed[(blk·in + i)·8 + lane] = W[blk·8 + lane, i]} (the last block padded
 * with zero rows). One 16-byte load gives input {@code i} of eight outputs, so a vector
 * accumulator holds eight outputs' partial sums and no horizontal reduction is needed: a
 * product is {@code acc = fma(w[blk, i], broadcast(x[b, i]), acc)} for i = 0, 1, …, then one store.
 * (With HF's row-major layout each output was an 8-lane dot product whose lanes had to be added
 * at the end; the shuffle network doing that deterministically cost more than the FMAs of a
 * 576-long row at batch 8.)
 *
 * <p><b>Tiles.</b> Every output of every input row is one FMA chain over {@code i} in increasing
 * order, so each tile gives the same bits and a batch row equals its solo run exactly, in every JIT
 * tier. Batch 1 runs four blocks a quarter of the range apart (four weight streams in flight per
 * thread, four independent chains); batches run tiles of 2 blocks × 4 input rows (eight
 * accumulators: two weight loads, four broadcasts, eight FMAs per input index), the two blocks'
 * 2·16·in bytes staying in L1 while the input rows pass. Above {@link #ROW_BLOCK} rows the rows
 * are taken in blocks, one pass over the weights each.
 *
 * <p>f16 → f32 is exact for finite values: the 15 magnitude bits shifted into f32 position with
 * the sign kept in bit 31, multiplied by 2¹¹² (which also renormalises subnormals); see
 * {@link #toFloat}. Infinite or NaN weights are rejected at load time by {@link F16Matrix}.
 */
public final class F16Gemv {

    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final int LANES = 8;
    /** Output rows per packed block (one vector of outputs). */
    public static final int BLOCK = LANES;
    private static final float MAGIC = 0x1p112f;
    /**
     * Input rows per pass over the weights: a block of x (≤ 32 × in floats, under 200 KiB for
     * in ≤ 1536) stays in L2 while the weight blocks stream past; more rows (a batched prefill)
     * take several passes, each reading the weights again (from L3 for a layer's matrices).
     */
    static final int ROW_BLOCK = 32;

    private F16Gemv() {}

    /** Whether the CPU runs 8-lane float vectors natively (AVX2 or wider). */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() >= LANES;
    }

    /** Blocks of {@link #BLOCK} output rows that hold {@code out} rows. */
    public static int blocks(int out) {
        return (out + BLOCK - 1) / BLOCK;
    }

    /** Row-major {@code [out, in]} f16 bits to the packed layout (see the class comment). */
    public static short[] pack(short[] w, int out, int in) {
        if (w.length != out * in) throw new IllegalArgumentException("expected " + out + " x " + in + " halves");
        short[] p = new short[Math.multiplyExact(blocks(out) * BLOCK, in)];
        for (int o = 0; o < out; o++) {
            int blk = o / BLOCK, lane = o % BLOCK, src = o * in, dst = blk * in * BLOCK + lane;
            for (int i = 0; i < in; i++) p[dst + i * BLOCK] = w[src + i];
        }
        return p;
    }

    /** Weight {@code W[o, i]} of a packed matrix. */
    static short at(short[] packed, int in, int o, int i) {
        return packed[((o / BLOCK) * in + i) * BLOCK + o % BLOCK];
    }

    /**
     * Output rows {@code [from, to)} for all {@code rows} inputs.
     *
     * @param packed {@link #pack packed} weights of an {@code [out, in]} matrix; {@code in} a multiple of 8
     * @param x      {@code [rows, in]}
     * @param y      {@code [rows, out]}
     * @param from   a multiple of {@link #BLOCK}
     * @param to     a multiple of {@link #BLOCK}, or {@code out}
     */
    public static void multiply(short[] packed, int in, int out, float[] x, int rows, float[] y, int from, int to) {
        if (from % BLOCK != 0 || (to % BLOCK != 0 && to != out) || from > to || to > out)
            throw new IllegalArgumentException("output range [" + from + ", " + to + ") not on " + BLOCK + "-row blocks of " + out);
        FloatVector magic = FloatVector.broadcast(F, MAGIC);
        float[] tail = new float[8 * LANES];
        int b0 = from / BLOCK, b1 = blocks(to);
        if (rows == 1) {
            // four blocks a quarter of the range apart in one loop: more memory streams in flight
            // per thread read faster (plain reads here: 12 GB/s with one, 13-14 with two, ~17 with four)
            int quarter = (b1 - b0) / 4;
            for (int k = 0; k < quarter; k++) row1x4(packed, in, out, x, y, b0 + k, quarter, magic, tail);
            for (int blk = b0 + 4 * quarter; blk < b1; blk++) tile1x1(packed, in, out, x, 0, y, blk, magic, tail);
            return;
        }
        for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
            int r1 = Math.min(rows, r0 + ROW_BLOCK);
            int blk = b0;
            for (; blk + 2 <= b1; blk += 2) {
                int b = r0;
                for (; b + 8 <= r1; b += 8) {
                    tile8x1(packed, in, out, x, b, y, blk, magic, tail);
                    tile8x1(packed, in, out, x, b, y, blk + 1, magic, tail);
                }
                for (; b + 4 <= r1; b += 4) tile4x2(packed, in, out, x, b, y, blk, magic, tail);
                for (; b < r1; b++) {
                    tile1x1(packed, in, out, x, b, y, blk, magic, tail);
                    tile1x1(packed, in, out, x, b, y, blk + 1, magic, tail);
                }
            }
            for (; blk < b1; blk++) {
                int b = r0;
                for (; b + 8 <= r1; b += 8) tile8x1(packed, in, out, x, b, y, blk, magic, tail);
                for (; b < r1; b++) tile1x1(packed, in, out, x, b, y, blk, magic, tail);
            }
        }
    }

    /**
     * Copies accumulators that were stored to {@code tail[slot·8 ..]} into {@code y}, row
     * {@code b}, block {@code blk}: as many outputs as the (padded) last block really has.
     * Vectors never cross this call (a vector argument to a call that is not inlined is boxed).
     */
    private static void copyTail(float[] tail, int slot, float[] y, int out, int b, int blk) {
        int o = blk * BLOCK;
        System.arraycopy(tail, slot * LANES, y, b * out + o, Math.min(BLOCK, out - o));
    }

    /** One input row × one block. */
    private static void tile1x1(short[] w, int in, int out, float[] x, int b, float[] y, int blk, FloatVector magic, float[] tail) {
        int wb = blk * in * BLOCK, xb = b * in;
        FloatVector a = FloatVector.zero(F);
        for (int i = 0; i < in; i++) a = toFloat(w, wb + i * BLOCK, magic).fma(FloatVector.broadcast(F, x[xb + i]), a);
        if ((blk + 1) * BLOCK <= out) {
            a.intoArray(y, b * out + blk * BLOCK);
        } else {
            a.intoArray(tail, 0);
            copyTail(tail, 0, y, out, b, blk);
        }
    }

    /** Batch 1: blocks {@code blk + k·gap}, k = 0..3 (four weight streams, four chains). */
    private static void row1x4(short[] w, int in, int out, float[] x, float[] y, int blk, int gap, FloatVector magic, float[] tail) {
        int step = gap * in * BLOCK;
        int w0 = blk * in * BLOCK, w1 = w0 + step, w2 = w1 + step, w3 = w2 + step;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int i = 0, j = 0; i < in; i++, j += BLOCK) {
            FloatVector xv = FloatVector.broadcast(F, x[i]);
            a0 = toFloat(w, w0 + j, magic).fma(xv, a0);
            a1 = toFloat(w, w1 + j, magic).fma(xv, a1);
            a2 = toFloat(w, w2 + j, magic).fma(xv, a2);
            a3 = toFloat(w, w3 + j, magic).fma(xv, a3);
        }
        if ((blk + 3 * gap + 1) * BLOCK <= out) {
            a0.intoArray(y, blk * BLOCK);
            a1.intoArray(y, (blk + gap) * BLOCK);
            a2.intoArray(y, (blk + 2 * gap) * BLOCK);
            a3.intoArray(y, (blk + 3 * gap) * BLOCK);
        } else {
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            for (int k = 0; k < 4; k++) copyTail(tail, k, y, out, 0, blk + k * gap);
        }
    }

    /** Input rows {@code b..b+7} × block {@code blk}: eight accumulators, each weight vector converted once. */
    private static void tile8x1(short[] w, int in, int out, float[] x, int b, float[] y, int blk, FloatVector magic, float[] tail) {
        int wb = blk * in * BLOCK;
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in, x4 = x3 + in, x5 = x4 + in, x6 = x5 + in, x7 = x6 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        for (int i = 0, j = wb; i < in; i++, j += BLOCK) {
            FloatVector u = toFloat(w, j, magic);
            a0 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a0);
            a1 = u.fma(FloatVector.broadcast(F, x[x1 + i]), a1);
            a2 = u.fma(FloatVector.broadcast(F, x[x2 + i]), a2);
            a3 = u.fma(FloatVector.broadcast(F, x[x3 + i]), a3);
            a4 = u.fma(FloatVector.broadcast(F, x[x4 + i]), a4);
            a5 = u.fma(FloatVector.broadcast(F, x[x5 + i]), a5);
            a6 = u.fma(FloatVector.broadcast(F, x[x6 + i]), a6);
            a7 = u.fma(FloatVector.broadcast(F, x[x7 + i]), a7);
        }
        int o = blk * BLOCK;
        if (o + BLOCK <= out) {
            int r = b * out + o;
            a0.intoArray(y, r);
            a1.intoArray(y, r + out);
            a2.intoArray(y, r + 2 * out);
            a3.intoArray(y, r + 3 * out);
            a4.intoArray(y, r + 4 * out);
            a5.intoArray(y, r + 5 * out);
            a6.intoArray(y, r + 6 * out);
            a7.intoArray(y, r + 7 * out);
        } else {
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            a4.intoArray(tail, 4 * LANES);
            a5.intoArray(tail, 5 * LANES);
            a6.intoArray(tail, 6 * LANES);
            a7.intoArray(tail, 7 * LANES);
            for (int k = 0; k < 8; k++) copyTail(tail, k, y, out, b + k, blk);
        }
    }

    /** Input rows {@code b..b+3} × blocks {@code blk, blk+1}: eight accumulators. */
    private static void tile4x2(short[] w, int in, int out, float[] x, int b, float[] y, int blk, FloatVector magic, float[] tail) {
        int w0 = blk * in * BLOCK, w1 = w0 + in * BLOCK;
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        for (int i = 0, j = 0; i < in; i++, j += BLOCK) {
            FloatVector u = toFloat(w, w0 + j, magic), v = toFloat(w, w1 + j, magic);
            FloatVector p = FloatVector.broadcast(F, x[x0 + i]);
            a0 = u.fma(p, a0);
            c0 = v.fma(p, c0);
            p = FloatVector.broadcast(F, x[x1 + i]);
            a1 = u.fma(p, a1);
            c1 = v.fma(p, c1);
            p = FloatVector.broadcast(F, x[x2 + i]);
            a2 = u.fma(p, a2);
            c2 = v.fma(p, c2);
            p = FloatVector.broadcast(F, x[x3 + i]);
            a3 = u.fma(p, a3);
            c3 = v.fma(p, c3);
        }
        if ((blk + 2) * BLOCK <= out) {
            int o = blk * BLOCK, r = b * out + o;
            a0.intoArray(y, r);
            c0.intoArray(y, r + BLOCK);
            a1.intoArray(y, r + out);
            c1.intoArray(y, r + out + BLOCK);
            a2.intoArray(y, r + 2 * out);
            c2.intoArray(y, r + 2 * out + BLOCK);
            a3.intoArray(y, r + 3 * out);
            c3.intoArray(y, r + 3 * out + BLOCK);
        } else {
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            c0.intoArray(tail, 4 * LANES);
            c1.intoArray(tail, 5 * LANES);
            c2.intoArray(tail, 6 * LANES);
            c3.intoArray(tail, 7 * LANES);
            for (int k = 0; k < 4; k++) {
                copyTail(tail, k, y, out, b + k, blk);
                copyTail(tail, 4 + k, y, out, b + k, blk + 1);
            }
        }
    }

    /**
     * Eight halves to floats: {@code h} sign-extended to 32 bits and shifted left by 13 holds the
     * magnitude in f32 position (bits 13–27) and copies of the sign in bits 28–31; clearing bits
     * 28–30 leaves a sign-magnitude float that is exactly {@code f16(h) · 2⁻¹¹²}, and multiplying by
     * 2¹¹² (exact: a power of two, results within f32's normal range) restores the value, subnormal
     * halves included.
     */
    private static FloatVector toFloat(short[] w, int offset, FloatVector magic) {
        IntVector h = (IntVector) ShortVector.fromArray(S, w, offset).convertShape(VectorOperators.S2I, I, 0);
        IntVector bits = h.lanewise(VectorOperators.LSHL, 13).and(0x8FFF_FFFF);
        return bits.reinterpretAsFloats().mul(magic);
    }
}
