package dev.vane.engine.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class F16GemvTest {

    @Test
    void convertsEveryFiniteHalfExactly() {
        int in = 16;
        int out = 0x10000;
        short[] w = new short[out * in];
        for (int h = 0; h < out; h++) w[h * in] = (h & 0x7c00) == 0x7c00 ? 0 : (short) h; // Inf/NaN: rejected by pack
        float[] x = new float[in];
        x[0] = 1f;
        float[] y = new float[out];
        F16Gemv.multiply(F16Gemv.pack(w, out, in), x, 1, y, 0, out);
        for (int h = 0; h < out; h++) {
            if ((h & 0x7c00) == 0x7c00) continue; // Inf/NaN are rejected at load time
            // exact value (a dot product turns -0 into +0, hence no bit comparison)
            assertEquals(Float.float16ToFloat((short) h), y[h], 0f, "half bits 0x" + Integer.toHexString(h));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 7, 8, 13, 17, 45})
    void matchesADoublePrecisionReference(int rows) {
        // 48 inputs: 24 pairs, 12 in each region; 2, 6 and 18: an odd pair count, region 1 one pair short
        for (int in : new int[] {48, 2, 6, 18}) matchesADoublePrecisionReference(rows, in);
    }

    private static void matchesADoublePrecisionReference(int rows, int in) {
        int out = 37;
        SplittableRandom rng = new SplittableRandom(rows);
        short[] w = new short[in * out];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) (rng.nextDouble() * 2 - 1));
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 4 - 2);
        float[] y = new float[rows * out];
        F16Gemv.Packed packed = F16Gemv.pack(w, out, in);
        F16Gemv.multiply(packed, x, rows, y, 0, 16); // two calls: ranges on 8-row blocks
        F16Gemv.multiply(packed, x, rows, y, 16, out);
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < out; o++) {
                double ref = 0;
                for (int i = 0; i < in; i++) ref += (double) Float.float16ToFloat(w[o * in + i]) * x[b * in + i];
                assertEquals(ref, y[b * out + o], 1e-5 * Math.max(1, Math.abs(ref)), "in " + in + " row " + b + " out " + o);
            }
    }

    /** The JIT warm-up runs every kernel path (both widths: the suite runs again at 256 bits) without failing. */
    @Test
    void warmUpRunsEveryKernelPath() {
        F16Gemv.warmUp();
        F16Gemv.warmUp(); // once per JVM: the second call returns at once
    }

    @Test
    void blocksAreOneVectorOfTheChosenWidth() {
        boolean narrow = Integer.getInteger("vane.kernel.bits", 512) < 512;
        boolean avx512 = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        assertEquals(avx512 && !narrow ? 16 : 8, F16Gemv.BLOCK);
    }

    /**
     * Subnormal f16 weights would convert to f32 subnormals, which Intel FMAs handle in microcode:
     * packing lifts the matrix by a power of two so that none is left, and the products are still
     * exact (see also {@link #equalsTheScalarFmaChainBitForBit}, whose weights are lifted).
     */
    @Test
    void packingLiftsSubnormalWeightsToNormalsExactly() {
        int in = 64, out = 40;
        SplittableRandom rng = new SplittableRandom(3);
        short[] w = new short[in * out];
        int subnormals = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 7 == 0 ? (short) (1 + rng.nextInt(0x3ff)) : Float.floatToFloat16((float) rng.nextGaussian() * 0.02f);
            if ((w[i] & 0x7c00) == 0 && (w[i] & 0x3ff) != 0) subnormals++;
        }
        w[0] = 1; // the smallest half, 2^-24: ten binades below the smallest normal
        assertEquals(true, subnormals > 300);
        F16Gemv.Packed packed = F16Gemv.pack(w, out, in);
        assertEquals(10, packed.lift());
        for (short h : packed.halves().toArray(java.lang.foreign.ValueLayout.JAVA_SHORT))
            assertEquals(false, (h & 0x7c00) == 0 && (h & 0x3ff) != 0, "a subnormal half is left: 0x" + Integer.toHexString(h & 0xffff));
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++)
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(w[o * in + i])), Float.floatToRawIntBits(packed.weight(o, i)));
        // the largest weight bounds the lift: a weight of 2^14 leaves room for one binade only
        w[5] = Float.floatToFloat16(0x1p14f);
        assertEquals(1, F16Gemv.pack(w, out, in).lift());
        // all zeros: nothing to lift
        assertEquals(0, F16Gemv.pack(new short[in * out], out, in).lift());
    }

    @Test
    void packingOnAPoolFromRowsEqualsPackingAnArrayInOrder() {
        int in = 48, out = 700; // three chunks of rows, the last one short
        SplittableRandom rng = new SplittableRandom(5);
        short[] w = new short[in * out];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) rng.nextGaussian() * 0.02f);
        w[w.length - 3] = 1; // the smallest half, in the last chunk: it alone sets the lift
        F16Gemv.Packed inOrder = F16Gemv.pack(w, out, in);
        try (KernelPool pool = new KernelPool(2)) {
            F16Gemv.Packed pooled = F16Gemv.pack((o, dst) -> System.arraycopy(w, o * in, dst, 0, in), out, in, pool);
            assertEquals(10, inOrder.lift());
            assertEquals(inOrder.lift(), pooled.lift());
            org.junit.jupiter.api.Assertions.assertArrayEquals(inOrder.halves().toArray(java.lang.foreign.ValueLayout.JAVA_SHORT), pooled.halves().toArray(java.lang.foreign.ValueLayout.JAVA_SHORT));
            w[w.length - 1] = (short) 0x7c00; // an infinity in the last chunk fails the pooled packing too
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> F16Gemv.pack((o, dst) -> System.arraycopy(w, o * in, dst, 0, in), out, in, pool));
            assertTrue(e.getMessage().contains("row " + (out - 1)), e.getMessage());
        }
    }

    @Test
    void rejectsInfiniteAndNaNWeights() {
        short[] w = new short[16 * 8];
        w[17] = (short) 0x7c00;
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> F16Gemv.pack(w, 8, 16));
        w[17] = (short) 0xfe01;
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> F16Gemv.pack(w, 8, 16));
    }

    @Test
    void packingKeepsEveryWeightAndPadsTheLastBlock() {
        int out = F16Gemv.BLOCK + 5; // two blocks at either vector width, the second padded
        // 24 inputs: 12 pairs, 6 in each region; 22: 11 pairs, region 1 padded with an unused pair
        for (int in : new int[] {24, 22}) {
            short[] w = new short[out * in];
            for (int i = 0; i < w.length; i++) w[i] = (short) (i + 1);
            F16Gemv.Packed packed = F16Gemv.pack(w, out, in);
            assertEquals(2 * 2 * F16Gemv.BLOCK * 2 * ((in / 2 + 1) / 2), packed.bytes() / 2); // regions × blocks × halves per pair × pairs per region
            java.util.Set<Integer> used = new java.util.HashSet<>();
            for (int o = 0; o < 2 * F16Gemv.BLOCK; o++)
                for (int i = 0; i < in; i++) assertTrue(used.add(F16Gemv.index(out, in, o, i)), "W[" + o + ", " + i + "] shares its place");
            for (int o = 0; o < out; o++)
                for (int i = 0; i < in; i++)
                    assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(w[o * in + i])), Float.floatToRawIntBits(packed.weight(o, i)), "W[" + o + ", " + i + "]");
            for (int o = out; o < 2 * F16Gemv.BLOCK; o++)
                for (int i = 0; i < in; i++) assertEquals(0, packed.half(F16Gemv.index(out, in, o, i)), "padding row " + o);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 33, 38, 40, 70})
    void everyRowOfABatchEqualsItsSoloProductBitForBit(int rows) { // 5-7, 13, 38: a padded last group; 70: three ROW_BLOCK passes
        int in = 64, out = 9 * F16Gemv.BLOCK + 3; // 10 blocks, the last one padded; batch 1 takes the four-stream path
        SplittableRandom rng = new SplittableRandom(100 + rows);
        short[] w = new short[in * out];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) rng.nextGaussian());
        F16Gemv.Packed packed = F16Gemv.pack(w, out, in);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] y = new float[rows * out];
        F16Gemv.multiply(packed, x, rows, y, 0, out);
        for (int b = 0; b < rows; b++) {
            float[] solo = new float[out];
            F16Gemv.multiply(packed, java.util.Arrays.copyOfRange(x, b * in, (b + 1) * in), 1, solo, 0, out);
            for (int o = 0; o < out; o++)
                assertEquals(Float.floatToRawIntBits(solo[o]), Float.floatToRawIntBits(y[b * out + o]), "row " + b + " out " + o);
        }
    }

    /**
     * A row of huge, infinite or NaN inputs (a sequence whose activations blew up) leaves every
     * other row's product bit for bit as alone: the scaling of large inputs is each row's own.
     */
    @ParameterizedTest
    @ValueSource(floats = {1e30f, 3e38f, Float.POSITIVE_INFINITY, Float.NaN})
    void aRowOfHugeOrNonFiniteInputsLeavesTheOtherRowsAsAlone(float hostile) {
        int in = 64, out = 9 * F16Gemv.BLOCK + 3;
        SplittableRandom rng = new SplittableRandom(17);
        short[] w = new short[in * out];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) rng.nextGaussian() * 0.02f);
        F16Gemv.Packed packed = F16Gemv.pack(w, out, in);
        for (int rows : new int[] {2, 3, 8, 13}) {
            float[] x = new float[rows * in];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian() * (i % 7 == 0 ? 1e-3f : 1f);
            x[in] = 1e37f; // row 1 needs its own scale (times the inputs' 2¹¹² it would overflow)
            int bad = rows - 1;
            for (int i = 0; i < in; i += 3) x[bad * in + i] = hostile;
            float[] y = new float[rows * out];
            F16Gemv.multiply(packed, x, rows, y, 0, out);
            for (int b = 0; b < bad; b++) {
                float[] solo = new float[out];
                F16Gemv.multiply(packed, java.util.Arrays.copyOfRange(x, b * in, (b + 1) * in), 1, solo, 0, out);
                for (int o = 0; o < out; o++)
                    assertEquals(Float.floatToRawIntBits(solo[o]), Float.floatToRawIntBits(y[b * out + o]),
                            "rows " + rows + " row " + b + " out " + o);
            }
        }
    }

    @Test
    void rejectsAnOutputRangeOffTheBlocks() {
        F16Gemv.Packed packed = F16Gemv.pack(new short[16 * 20], 20, 16);
        float[] y = new float[20];
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> F16Gemv.multiply(packed, new float[16], 1, y, 3, 20));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> F16Gemv.multiply(packed, new float[16], 1, y, 0, 12));
    }

    /**
     * Every output is one FMA chain over the inputs in order, so it equals the scalar chain
     * {@code acc = fma(f16(w), x, acc)} bit for bit — also with subnormal weights and with inputs
     * large enough (≥ 2¹⁵) that the kernel scales them down by a power of two and back. One
     * exception, by design: where a partial sum of the plain chain overflows to infinity and the
     * scaled chain's does not, the kernel keeps the finite sum (checked against a double-precision
     * sum instead).
     */
    @ParameterizedTest
    @ValueSource(floats = {1f, 3e4f, 1e6f, 3e37f})
    void equalsTheScalarFmaChainBitForBit(float inputScale) {
        // 19 outputs: two blocks, the second padded; 41: three (a pair and a lone block);
        // 6 rows: an 8-row tile on a padded group; 27 and 70 rows: several passes of ROW_BLOCK
        // rows with 8-, 4- and 2-row tiles
        for (int out : new int[] {19, 41}) equalsTheScalarFmaChain(inputScale, out);
    }

    private static void equalsTheScalarFmaChain(float inputScale, int out) {
        for (int in : new int[] {32, 18}) equalsTheScalarFmaChain(inputScale, out, in); // 18: an odd pair count
    }

    private static void equalsTheScalarFmaChain(float inputScale, int out, int in) {
        SplittableRandom rng = new SplittableRandom(7);
        short[] w = new short[in * out];
        for (int i = 0; i < w.length; i++)
            w[i] = i % 5 == 0 ? (short) (rng.nextInt(0x3ff) | (rng.nextBoolean() ? 0x8000 : 0)) // subnormal halves
                    : Float.floatToFloat16((float) rng.nextGaussian());
        assertEquals(true, F16Gemv.pack(w, out, in).lift() > 0); // the lifted path
        for (int rows : new int[] {1, 2, 6, 8, 11, 16, 27, 70}) {
            float[] x = new float[rows * in];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian() * (i % 3 == 0 ? inputScale : 1f);
            float[] y = new float[rows * out];
            F16Gemv.multiply(F16Gemv.pack(w, out, in), x, rows, y, 0, out);
            for (int b = 0; b < rows; b++)
                for (int o = 0; o < out; o++) {
                    float acc = 0;
                    double exact = 0;
                    boolean overflowed = false;
                    for (int i = 0; i < in; i++) {
                        acc = Math.fma(Float.float16ToFloat(w[o * in + i]), x[b * in + i], acc);
                        exact += (double) Float.float16ToFloat(w[o * in + i]) * x[b * in + i];
                        overflowed |= Float.isInfinite(acc);
                    }
                    String at = "in " + in + " rows " + rows + " row " + b + " out " + o + ": " + acc + " vs " + y[b * out + o];
                    if (overflowed && Math.abs(exact) < Float.MAX_VALUE) {
                        assertTrue(Float.isFinite(y[b * out + o]), at);
                        assertEquals(exact, y[b * out + o], Math.abs(exact) * 1e-5, at);
                    } else {
                        assertEquals(Float.floatToRawIntBits(acc), Float.floatToRawIntBits(y[b * out + o]), at);
                    }
                }
        }
    }
}
