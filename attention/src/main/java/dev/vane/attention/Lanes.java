package dev.vane.attention;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions and {@code exp} over 8-lane float vectors that give the same bits in every JIT tier,
 * shared by the attention kernels and the decoder's row operations (norms, SwiGLU).
 *
 * <p>Why: {@code reduceLanes(ADD)} may add the lanes in any order and {@code lanewise(EXP)} may
 * round differently once C2 replaces the Java fallback with an intrinsic, so the same decode step
 * gave last-bit-different logits before and after warm-up. Here every result is a fixed sequence
 * of IEEE operations (add, multiply, fused multiply-add, min/max, integer bit moves), each exactly
 * defined, so a generation is reproducible.
 *
 * <p>Hot loops write the tree of {@link #sum} out inline with {@link #HALVES}, {@link #PAIRS} and
 * {@link #NEIGHBOURS} instead of calling it: a vector passed to or returned from a call that C2
 * does not inline is boxed, and whether C2 inlines a callee depends on compilation order.
 */
public final class Lanes {

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    public static final int LANES = 8;

    public static final VectorShuffle<Float> HALVES = VectorShuffle.fromValues(F, 4, 5, 6, 7, 0, 1, 2, 3);
    public static final VectorShuffle<Float> PAIRS = VectorShuffle.fromValues(F, 2, 3, 0, 1, 6, 7, 4, 5);
    public static final VectorShuffle<Float> NEIGHBOURS = VectorShuffle.fromValues(F, 1, 0, 3, 2, 5, 4, 7, 6);

    // exp: x = n·ln2 + r, |r| ≤ ln2/2; e^r by its Taylor polynomial to r⁷ (relative error < 1e-8 on that range)
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;       // ln 2 in 9 significant bits: n·LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;    // ln 2 − LN2_HI
    private static final float ROUND = 12582912f;           // 1.5·2²³: x + ROUND rounds x to an integer
    private static final int ROUND_BITS = 0x4B40_0000;      // the bits of ROUND
    private static final float LO = -87f, HI = 88f;         // e^x stays within f32 (down to subnormals)
    private static final float[] TAYLOR = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

    private Lanes() {}

    /** {@code v[0] + … + v[7]} as {@code ((v0+v4) + (v2+v6)) + ((v1+v5) + (v3+v7))}, the same in every tier. */
    public static float sum(FloatVector v) {
        FloatVector s = v.add(v.rearrange(HALVES));
        s = s.add(s.rearrange(PAIRS));
        s = s.add(s.rearrange(NEIGHBOURS));
        return s.lane(0);
    }

    /**
     * {@code out[o + i] = e^(sign·x[off + i] − shift)} for {@code i < len}, each element equal to
     * {@link #exp(float)} of its argument; returns their sum, the vector part added lane-wise and
     * reduced by {@link #sum}'s tree, then the tail in order. {@code out} may be {@code x}.
     *
     * <p>An array loop rather than an {@code exp(FloatVector)}: the polynomial sits in the loop's own
     * body, so no vector crosses a call. A vector {@code exp} called from a loop was seen left out of
     * line by C2 ("already compiled into a medium method") whenever it had been compiled on its own
     * first, and softmax ran at a third of its speed, depending on the order of compilation.
     */
    public static float exp(float[] x, int off, int len, float sign, float shift, float[] out, int o) {
        FloatVector sg = FloatVector.broadcast(F, sign), sh = FloatVector.broadcast(F, shift);
        FloatVector lo = FloatVector.broadcast(F, LO), hi = FloatVector.broadcast(F, HI);
        FloatVector log2e = FloatVector.broadcast(F, LOG2E), round = FloatVector.broadcast(F, ROUND);
        FloatVector ln2Hi = FloatVector.broadcast(F, -LN2_HI), ln2Lo = FloatVector.broadcast(F, -LN2_LO);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, off + i).mul(sg).sub(sh).max(lo).min(hi);
            FloatVector t = v.fma(log2e, round);              // ROUND + round(v·log2 e)
            FloatVector n = t.sub(round);
            FloatVector r = n.fma(ln2Hi, v);
            r = n.fma(ln2Lo, r);
            FloatVector p = FloatVector.broadcast(F, TAYLOR[0]);
            for (int k = 1; k < TAYLOR.length; k++) p = p.fma(r, FloatVector.broadcast(F, TAYLOR[k]));
            IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(bits.reinterpretAsFloats()); // · 2ⁿ
            e.intoArray(out, o + i);
            acc = acc.add(e);
        }
        acc = acc.add(acc.rearrange(HALVES)); // sum's tree, written out
        acc = acc.add(acc.rearrange(PAIRS));
        acc = acc.add(acc.rearrange(NEIGHBOURS));
        float total = acc.lane(0);
        for (; i < len; i++) {
            float e = exp(x[off + i] * sign - shift);
            out[o + i] = e;
            total += e;
        }
        return total;
    }

    /** {@code e^x}, input clamped to [−87, 88]; the scalar twin of the array form. */
    public static float exp(float x) {
        x = Math.min(Math.max(x, LO), HI);
        float t = Math.fma(x, LOG2E, ROUND);
        return mantissa(x, t - ROUND) * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_BITS - 127)) << 23);
    }

    /** {@code e^(x − n·ln 2)} for the integer {@code n = round(x·log2 e)}: the Taylor polynomial after range reduction. */
    private static float mantissa(float x, float n) {
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = TAYLOR[0];
        for (int i = 1; i < TAYLOR.length; i++) p = Math.fma(p, r, TAYLOR[i]);
        return p;
    }

    /**
     * The range reduction of {@link #exp(float)} without the final power of two, for the two-pass
     * softmax: {@code e^x = mantissa · 2^k} with {@code k = round(x·log2 e)} returned and the
     * mantissa {@code e^(x − k·ln 2)}, in {@code [1/√2, √2]}, stored at {@code mantissa[at]}.
     * {@code x} is clamped to ±22,000, within which {@code k·LN2_HI} stays exact (k < 2¹⁵).
     */
    public static int expSplit(float x, float[] mantissa, int at) {
        x = Math.min(Math.max(x, -22000f), 22000f);
        float n = Math.fma(x, LOG2E, ROUND) - ROUND;
        mantissa[at] = mantissa(x, n);
        return (int) n;
    }
}
