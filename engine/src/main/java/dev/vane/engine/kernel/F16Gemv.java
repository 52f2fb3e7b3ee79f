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
 * (see {@code docs/adr/0001-f16-kernels.md}). Rows are processed in tiles of four so that each
 * weight vector is converted once per tile and the accumulators stay in registers.
 *
 * <p>f16 → f32 is exact for finite values: the 15 magnitude bits shifted into f32 position and
 * multiplied by 2¹¹² (which also renormalises subnormals), then the sign OR-ed back. Infinite
 * or NaN weights are rejected at load time by {@link F16Matrix}.
 */
public final class F16Gemv {

    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final int LANES = 8;
    private static final float MAGIC = 0x1p112f;

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
        int b = 0;
        for (; b + 4 <= rows; b += 4) rows4(w, in, out, x, b, y, from, to, magic);
        for (; b < rows; b++) rows1(w, in, out, x, b, y, from, to, magic);
    }

    private static void rows1(short[] w, int in, int out, float[] x, int b, float[] y, int from, int to,
                              FloatVector magic) {
        int xb = b * in;
        for (int o = from; o < to; o++) {
            int base = o * in;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            for (int i = 0; i < in; i += 2 * LANES) {
                a0 = toFloat(w, base + i, magic).fma(FloatVector.fromArray(F, x, xb + i), a0);
                a1 = toFloat(w, base + i + LANES, magic).fma(FloatVector.fromArray(F, x, xb + i + LANES), a1);
            }
            y[b * out + o] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
    }

    private static void rows4(short[] w, int in, int out, float[] x, int b, float[] y, int from, int to,
                              FloatVector magic) {
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        for (int o = from; o < to; o++) {
            int base = o * in;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int i = 0; i < in; i += LANES) {
                FloatVector wv = toFloat(w, base + i, magic);
                a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
                a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
                a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
                a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
            }
            y[b * out + o] = a0.reduceLanes(VectorOperators.ADD);
            y[(b + 1) * out + o] = a1.reduceLanes(VectorOperators.ADD);
            y[(b + 2) * out + o] = a2.reduceLanes(VectorOperators.ADD);
            y[(b + 3) * out + o] = a3.reduceLanes(VectorOperators.ADD);
        }
    }

    private static FloatVector toFloat(short[] w, int offset, FloatVector magic) {
        IntVector h = (IntVector) ShortVector.fromArray(S, w, offset).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        FloatVector f = magnitude.reinterpretAsFloats().mul(magic);
        return f.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }
}
