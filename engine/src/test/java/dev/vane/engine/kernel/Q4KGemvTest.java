package dev.vane.engine.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Q4KGemvTest {

    /** Random Q4_K super-blocks as GGML stores them: f16 D and Dmin, 12 bytes of 6-bit scales and minima, 128 of nibbles (144 bytes). */
    static byte[] randomKBlocks(SplittableRandom rng, int out, int in) {
        ByteBuffer b = ByteBuffer.allocate(out * in / 256 * 144).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < out * in / 256; k++) {
            b.putShort(Float.floatToFloat16((float) (rng.nextGaussian() * 0.003)));
            b.putShort(Float.floatToFloat16((float) (rng.nextGaussian() * 0.01)));
            for (int j = 0; j < 140; j++) b.put((byte) rng.nextInt(256));
        }
        return b.array();
    }

    static BlockRows kRows(byte[] blocks, int in) {
        return (o, scales, data) -> {
            ByteBuffer b = ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN);
            int at = o * in / 256 * 144;
            for (int k = 0; k < in / 256; k++, at += 144) {
                scales[2 * k] = b.getShort(at);
                scales[2 * k + 1] = b.getShort(at + 2);
                b.get(at + 4, data, k * Q4KGemv.K_DATA, Q4KGemv.K_DATA);
            }
        };
    }

    /** Packed Q4_K weights are GGML's dequantisation ({@code Dequant}, held to ggml's own output) bit for bit. */
    @Test
    void q4kWeightsEqualGgmlsDequantisationBitForBit() {
        SplittableRandom rng = new SplittableRandom(2);
        int out = 3 * Q4KGemv.BLOCK + 5, in = 512;
        byte[] blocks = randomKBlocks(rng, out, in);
        Q4KMatrix m = Q4KMatrix.of(kRows(blocks, in), out, in, "w", null);
        float[] row = new float[in], expected = new float[in];
        for (int o = 0; o < out; o++) {
            m.row(o, row, 0);
            dev.vane.engine.gguf.Dequant.dequantize(dev.vane.engine.gguf.GgmlType.Q4_K,
                    ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN), o * in / 256 * 144, in, expected, 0);
            for (int i = 0; i < in; i++)
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(row[i]), "w[" + o + ", " + i + "]");
        }
        assertThat(m.bytes()).isEqualTo(Q4KGemv.blocks(out) * Q4KGemv.BLOCK * (long) in * 19 / 32); // 4.75 bits a weight
    }

    /** The kernels equal the scalar reference bit for bit at every batch size, so every row equals its solo product. */
    @ParameterizedTest
    @CsvSource({"1,256,1", "1,512,4", "1,256,9", "2,256,5", "5,512,2", "8,256,4", "9,256,3", "16,256,2", "40,256,3"})
    void q4kKernelsEqualTheScalarReferenceAndEveryRowItsSoloProduct(int rows, int in, int blocks) {
        SplittableRandom rng = new SplittableRandom(rows * 17L + in);
        int out = blocks * Q4KGemv.BLOCK - (blocks % 2 == 1 ? 3 : 0);
        checkKernels(Q4KGemv.pack(kRows(randomKBlocks(rng, out, in), in), out, in, null), rows, rng);
    }

    @Test
    void q4kPooledProductsEqualTheOneThreadProduct() {
        int in = 256, out = 1000, rows = 13;
        SplittableRandom rng = new SplittableRandom(9);
        Q4KMatrix m = Q4KMatrix.of(kRows(randomKBlocks(rng, out, in), in), out, in, "w", null);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int r : new int[] {1, rows}) {
            float[] expected = new float[r * out], got = new float[r * out];
            try (KernelPool one = new KernelPool(1); KernelPool pool = new KernelPool(2)) {
                m.multiply(x, r, expected, one);
                m.multiply(x, r, got, pool);
            }
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    void q4kWidthsThatAreNotWholeSuperBlocksAndNonFiniteScalesAreRefused() {
        assertThatThrownBy(() -> Q4KMatrix.of((o, s, q) -> {}, 16, 96, "blk.0.ffn_up.weight", null))
                .hasMessageContaining("blk.0.ffn_up.weight").hasMessageContaining("multiple of 256");
        assertThatThrownBy(() -> Q4KMatrix.of((o, s, q) -> s[1] = (short) 0x7c00, 16, 256, "blk.0.ffn_up.weight", null))
                .hasMessageContaining("blk.0.ffn_up.weight").hasMessageContaining("NaN scale in row 0");
    }

    private static void checkKernels(Q4KGemv.Packed w, int rows, SplittableRandom rng) {
        int in = w.in(), out = w.out();
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] expected = new float[rows * out], got = new float[rows * out];
        Q4KGemv.reference(w, x, rows, expected);
        Arrays.fill(got, Float.NaN);
        Q4KGemv.multiply(w, Q8Gemv.inputs(x, rows, in), rows, got, 0, out);
        for (int i = 0; i < got.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), "row " + i / out + " out " + i % out);
        for (int b = 0; b < rows; b++) {
            float[] solo = new float[out];
            Q4KGemv.multiply(w, Arrays.copyOfRange(x, b * in, (b + 1) * in), 1, solo, 0, out);
            for (int o = 0; o < out; o++)
                assertEquals(Float.floatToRawIntBits(solo[o]), Float.floatToRawIntBits(got[b * out + o]), "row " + b + " out " + o);
        }
    }

}
