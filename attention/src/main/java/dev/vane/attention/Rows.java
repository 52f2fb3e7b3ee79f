package dev.vane.attention;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two products every array-form kernel is made of, each a fixed sequence of IEEE operations
 * (so a row's result does not depend on its batch or the JIT tier): a score row
 * {@code z_j = scale · q·k_j} and a value mix {@code out = inv · Σ_j w_j·v_j}.
 *
 * <p>The loops run eight chains side by side (eight keys per query for the scores, eight 8-lane
 * slices of a head for the values) because one chain at a time waits on the FMA latency at every
 * step; every chain keeps its own order, so the bits are those of one chain at a time. The head
 * dimension must be a multiple of 8.
 */
final class Rows {

    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int LANES = Lanes.LANES;

    private Rows() {}

    /** {@code s[s0 + j] = dot(q, K[j]) · scale} for the {@code n} keys at {@code k0 + j·dh}; eight keys at a time. */
    static void scoreRow(int dh, float scale, float[] q, int q0, float[] keys, int k0, int n, float[] s, int s0) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int k = k0 + j * dh;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
            for (int i = 0; i < dh; i += LANES) {
                FloatVector qv = FloatVector.fromArray(F, q, q0 + i);
                a0 = qv.fma(FloatVector.fromArray(F, keys, k + i), a0);
                a1 = qv.fma(FloatVector.fromArray(F, keys, k + dh + i), a1);
                a2 = qv.fma(FloatVector.fromArray(F, keys, k + 2 * dh + i), a2);
                a3 = qv.fma(FloatVector.fromArray(F, keys, k + 3 * dh + i), a3);
                a4 = qv.fma(FloatVector.fromArray(F, keys, k + 4 * dh + i), a4);
                a5 = qv.fma(FloatVector.fromArray(F, keys, k + 5 * dh + i), a5);
                a6 = qv.fma(FloatVector.fromArray(F, keys, k + 6 * dh + i), a6);
                a7 = qv.fma(FloatVector.fromArray(F, keys, k + 7 * dh + i), a7);
            }
            // Lanes.sum's tree, written out (no vector crosses a call)
            a0 = a0.add(a0.rearrange(Lanes.HALVES)); a0 = a0.add(a0.rearrange(Lanes.PAIRS)); a0 = a0.add(a0.rearrange(Lanes.NEIGHBOURS));
            a1 = a1.add(a1.rearrange(Lanes.HALVES)); a1 = a1.add(a1.rearrange(Lanes.PAIRS)); a1 = a1.add(a1.rearrange(Lanes.NEIGHBOURS));
            a2 = a2.add(a2.rearrange(Lanes.HALVES)); a2 = a2.add(a2.rearrange(Lanes.PAIRS)); a2 = a2.add(a2.rearrange(Lanes.NEIGHBOURS));
            a3 = a3.add(a3.rearrange(Lanes.HALVES)); a3 = a3.add(a3.rearrange(Lanes.PAIRS)); a3 = a3.add(a3.rearrange(Lanes.NEIGHBOURS));
            a4 = a4.add(a4.rearrange(Lanes.HALVES)); a4 = a4.add(a4.rearrange(Lanes.PAIRS)); a4 = a4.add(a4.rearrange(Lanes.NEIGHBOURS));
            a5 = a5.add(a5.rearrange(Lanes.HALVES)); a5 = a5.add(a5.rearrange(Lanes.PAIRS)); a5 = a5.add(a5.rearrange(Lanes.NEIGHBOURS));
            a6 = a6.add(a6.rearrange(Lanes.HALVES)); a6 = a6.add(a6.rearrange(Lanes.PAIRS)); a6 = a6.add(a6.rearrange(Lanes.NEIGHBOURS));
            a7 = a7.add(a7.rearrange(Lanes.HALVES)); a7 = a7.add(a7.rearrange(Lanes.PAIRS)); a7 = a7.add(a7.rearrange(Lanes.NEIGHBOURS));
            s[s0 + j] = a0.lane(0) * scale;
            s[s0 + j + 1] = a1.lane(0) * scale;
            s[s0 + j + 2] = a2.lane(0) * scale;
            s[s0 + j + 3] = a3.lane(0) * scale;
            s[s0 + j + 4] = a4.lane(0) * scale;
            s[s0 + j + 5] = a5.lane(0) * scale;
            s[s0 + j + 6] = a6.lane(0) * scale;
            s[s0 + j + 7] = a7.lane(0) * scale;
        }
        for (; j < n; j++) s[s0 + j] = dot(q, q0, keys, k0 + j * dh, dh) * scale;
    }

    /**
     * {@code out[o ..+dh] = inv · Σ_j s[s0 + j] · V[j]} over the {@code n} values at {@code v0 + j·dh}:
     * eight 8-lane slices of the head at a time, each an FMA chain in key order.
     */
    static void mixValues(int dh, float[] s, int s0, int n, float[] values, int v0, float[] out, int o, float inv) {
        int i = 0;
        for (; i + 8 * LANES <= dh; i += 8 * LANES) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
            for (int j = 0, v = v0 + i; j < n; j++, v += dh) {
                FloatVector pj = FloatVector.broadcast(F, s[s0 + j]);
                a0 = FloatVector.fromArray(F, values, v).fma(pj, a0);
                a1 = FloatVector.fromArray(F, values, v + LANES).fma(pj, a1);
                a2 = FloatVector.fromArray(F, values, v + 2 * LANES).fma(pj, a2);
                a3 = FloatVector.fromArray(F, values, v + 3 * LANES).fma(pj, a3);
                a4 = FloatVector.fromArray(F, values, v + 4 * LANES).fma(pj, a4);
                a5 = FloatVector.fromArray(F, values, v + 5 * LANES).fma(pj, a5);
                a6 = FloatVector.fromArray(F, values, v + 6 * LANES).fma(pj, a6);
                a7 = FloatVector.fromArray(F, values, v + 7 * LANES).fma(pj, a7);
            }
            a0.mul(inv).intoArray(out, o + i);
            a1.mul(inv).intoArray(out, o + i + LANES);
            a2.mul(inv).intoArray(out, o + i + 2 * LANES);
            a3.mul(inv).intoArray(out, o + i + 3 * LANES);
            a4.mul(inv).intoArray(out, o + i + 4 * LANES);
            a5.mul(inv).intoArray(out, o + i + 5 * LANES);
            a6.mul(inv).intoArray(out, o + i + 6 * LANES);
            a7.mul(inv).intoArray(out, o + i + 7 * LANES);
        }
        for (; i < dh; i += LANES) { // head dims beyond a multiple of 64: one slice at a time
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0, v = v0 + i; j < n; j++, v += dh) acc = FloatVector.fromArray(F, values, v).fma(FloatVector.broadcast(F, s[s0 + j]), acc);
            acc.mul(inv).intoArray(out, o + i);
        }
    }

    static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < len; i += LANES)
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        acc = acc.add(acc.rearrange(Lanes.HALVES)); // Lanes.sum written out: no vector crosses a call
        acc = acc.add(acc.rearrange(Lanes.PAIRS));
        acc = acc.add(acc.rearrange(Lanes.NEIGHBOURS));
        return acc.lane(0);
    }

}
