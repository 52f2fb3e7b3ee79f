package dev.vane.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products over f16 weights in Java SIMD (AVX2-width vectors):
 * <pre>
 *   y[b, o] = Σ_i  f32(W[o, i]) · x[b, i]        W: [out, in] f16 bits (HF layout), x: [B, in] f32
 * </pre>
 * Why not PyTorch: at one or a few rows PyTorch's CPU f16 GEMV reads weights at a third of the
 * memory bandwidth on AVX2 machines, and decode is bound by reading every weight once per token
 * (see {@code docs/performance.md}).
 *
 * <p>Loop order: the output row {@code o} is the outer loop, so each weight row is read from
 * memory once per call whatever the number of input rows; the input rows are then taken in
 * register-blocked tiles of 8, 4 and 1, each tile converting a weight vector once and feeding it
 * to one FMA per row of the tile (the weight row, {@code 2·in} bytes, stays in L1 between tiles).
 * Above {@link #ROW_BLOCK} input rows the rows are taken in blocks, one pass over the weights each.
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
    private static final float MAGIC = 0x1p112f;
    /**
     * Input rows per pass over the weights: a block of x (≤ 32 × in floats, under 200 KiB for
     * in ≤ 1536) stays in L2 while the weight rows stream past; more rows (a batched prefill)
     * take several passes, each reading the weights again (from L3 for a layer's matrices).
     */
    static final int ROW_BLOCK = 32;

    private F16Gemv() {}

    /** Whether the CPU runs 8-lane float vectors natively (AVX2 or wider). */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() >= LANES;
    }

    /**
     * Output columns {@code [from, to)} for all {@code rows} inputs.
     *
     * @param w  {@code [out, in]} f16 bits; {@code in} a multiple of 16
     * @param x  {@code [rows, in]}
     * @param y  {@code [rows, out]}
     */
    public static void multiply(short[] w, int in, int out, float[] x, int rows, float[] y, int from, int to) {
        FloatVector magic = FloatVector.broadcast(F, MAGIC);
        if (rows == 1) {
            // four weight rows a quarter of the range apart in one loop: more memory streams in
            // flight per thread read faster (plain reads here: 12 GB/s with one, 13-14 with two,
            // ~17 with four); one FMA chain per row keeps four chains within the registers
            // (four rows of two chains each spilled and ran at half speed)
            int quarter = (to - from) / 4;
            for (int k = 0; k < quarter; k++) dot1x4(w, in, x, y, from + k, quarter, magic);
            for (int o = from + 4 * quarter; o < to; o++) y[o] = dot1(w, o * in, in, x, 0, magic);
            return;
        }
        float[] sums = new float[LANES];
        for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
            int r1 = Math.min(rows, r0 + ROW_BLOCK);
            for (int o = from; o < to; o++) {
                int base = o * in;
                int b = r0;
                for (; b + 8 <= r1; b += 8) dot8(w, base, in, out, x, b, y, o, magic, sums);
                for (; b + 4 <= r1; b += 4) dot4(w, base, in, out, x, b, y, o, magic);
                for (; b < r1; b++) y[b * out + o] = dot1(w, base, in, x, b * in, magic);
            }
        }
    }

    /*
     * Reductions go through Lanes (a fixed addition tree), so every result is the same in every JIT
     * tier. Every path keeps one FMA chain per (input row, output row), in input order, and the
     * same reduction tree.
     */

    private static float dot1(short[] w, int base, int in, float[] x, int xb, FloatVector magic) {
        FloatVector a = FloatVector.zero(F);
        for (int i = 0; i < in; i += LANES) a = toFloat(w, base + i, magic).fma(FloatVector.fromArray(F, x, xb + i), a);
        a = a.add(a.rearrange(Lanes.HALVES)); // Lanes.sum, written out (see Lanes)
        a = a.add(a.rearrange(Lanes.PAIRS));
        a = a.add(a.rearrange(Lanes.NEIGHBOURS));
        return a.lane(0);
    }

    /**
     * {@link #dot1} for output rows {@code o + k·gap}, k = 0..3, at once (one chain per row, as
     * dot1: the same bits): four weight streams in flight per thread.
     */
    private static void dot1x4(short[] w, int in, float[] x, float[] y, int o, int gap, FloatVector magic) {
        int b0 = o * in, b1 = (o + gap) * in, b2 = (o + 2 * gap) * in, b3 = (o + 3 * gap) * in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int i = 0; i < in; i += LANES) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            a0 = toFloat(w, b0 + i, magic).fma(xv, a0);
            a1 = toFloat(w, b1 + i, magic).fma(xv, a1);
            a2 = toFloat(w, b2 + i, magic).fma(xv, a2);
            a3 = toFloat(w, b3 + i, magic).fma(xv, a3);
        }
        a0 = a0.add(a0.rearrange(Lanes.HALVES)); // Lanes.sum of each, written out (see Lanes)
        a1 = a1.add(a1.rearrange(Lanes.HALVES));
        a2 = a2.add(a2.rearrange(Lanes.HALVES));
        a3 = a3.add(a3.rearrange(Lanes.HALVES));
        a0 = a0.add(a0.rearrange(Lanes.PAIRS));
        a1 = a1.add(a1.rearrange(Lanes.PAIRS));
        a2 = a2.add(a2.rearrange(Lanes.PAIRS));
        a3 = a3.add(a3.rearrange(Lanes.PAIRS));
        y[o] = a0.add(a0.rearrange(Lanes.NEIGHBOURS)).lane(0);
        y[o + gap] = a1.add(a1.rearrange(Lanes.NEIGHBOURS)).lane(0);
        y[o + 2 * gap] = a2.add(a2.rearrange(Lanes.NEIGHBOURS)).lane(0);
        y[o + 3 * gap] = a3.add(a3.rearrange(Lanes.NEIGHBOURS)).lane(0);
    }

    private static void dot4(short[] w, int base, int in, int out, float[] x, int b, float[] y, int o,
                             FloatVector magic) {
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int i = 0; i < in; i += LANES) {
            FloatVector wv = toFloat(w, base + i, magic);
            a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
        }
        // the reduction network of Lanes for four accumulators, written out (see Lanes)
        FloatVector c01 = a0.blend(a1, Lanes.UPPER).add(a1.blend(a0, Lanes.UPPER).rearrange(Lanes.HALVES));
        FloatVector c23 = a2.blend(a3, Lanes.UPPER).add(a3.blend(a2, Lanes.UPPER).rearrange(Lanes.HALVES));
        FloatVector e = c01.blend(c23, Lanes.ODD_PAIRS).add(c23.blend(c01, Lanes.ODD_PAIRS).rearrange(Lanes.PAIRS));
        FloatVector r = e.add(e.rearrange(Lanes.NEIGHBOURS)); // lanes 0, 2, 4, 6: a0, a2, a1, a3
        y[b * out + o] = r.lane(0);
        y[(b + 1) * out + o] = r.lane(4);
        y[(b + 2) * out + o] = r.lane(2);
        y[(b + 3) * out + o] = r.lane(6);
    }

    private static void dot8(short[] w, int base, int in, int out, float[] x, int b, float[] y, int o,
                             FloatVector magic, float[] sums) {
        int x0 = b * in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        for (int i = 0; i < in; i += LANES) {
            FloatVector wv = toFloat(w, base + i, magic);
            int xi = x0 + i;
            a0 = wv.fma(FloatVector.fromArray(F, x, xi), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, xi + in), a1);
            a2 = wv.fma(FloatVector.fromArray(F, x, xi + 2 * in), a2);
            a3 = wv.fma(FloatVector.fromArray(F, x, xi + 3 * in), a3);
            a4 = wv.fma(FloatVector.fromArray(F, x, xi + 4 * in), a4);
            a5 = wv.fma(FloatVector.fromArray(F, x, xi + 5 * in), a5);
            a6 = wv.fma(FloatVector.fromArray(F, x, xi + 6 * in), a6);
            a7 = wv.fma(FloatVector.fromArray(F, x, xi + 7 * in), a7);
        }
        // the reduction network of Lanes for eight accumulators, written out (see Lanes)
        FloatVector c01 = a0.blend(a1, Lanes.UPPER).add(a1.blend(a0, Lanes.UPPER).rearrange(Lanes.HALVES));
        FloatVector c23 = a2.blend(a3, Lanes.UPPER).add(a3.blend(a2, Lanes.UPPER).rearrange(Lanes.HALVES));
        FloatVector c45 = a4.blend(a5, Lanes.UPPER).add(a5.blend(a4, Lanes.UPPER).rearrange(Lanes.HALVES));
        FloatVector c67 = a6.blend(a7, Lanes.UPPER).add(a7.blend(a6, Lanes.UPPER).rearrange(Lanes.HALVES));
        FloatVector e = c01.blend(c23, Lanes.ODD_PAIRS).add(c23.blend(c01, Lanes.ODD_PAIRS).rearrange(Lanes.PAIRS));
        FloatVector f = c45.blend(c67, Lanes.ODD_PAIRS).add(c67.blend(c45, Lanes.ODD_PAIRS).rearrange(Lanes.PAIRS));
        e.blend(f, Lanes.ODD).add(f.blend(e, Lanes.ODD).rearrange(Lanes.NEIGHBOURS)).rearrange(Lanes.ORDER).intoArray(sums, 0);
        for (int k = 0; k < 8; k++) y[(b + k) * out + o] = sums[k];
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
