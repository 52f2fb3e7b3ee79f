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

class Q8GemvTest {

    /** Random Q8_0 blocks as GGML stores them: per block an f16 scale, then 32 int8 (34 bytes). */
    private static byte[] randomBlocks(SplittableRandom rng, int out, int in) {
        ByteBuffer b = ByteBuffer.allocate(out * in / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < out * in / 32; k++) {
            b.putShort(Float.floatToFloat16((float) Math.abs(rng.nextGaussian() * 0.01)));
            for (int j = 0; j < 32; j++) b.put((byte) rng.nextInt(-128, 128));
        }
        return b.array();
    }

    /** The GGML block bytes of row {@code o} as the packing reads them. */
    private static BlockRows rows(byte[] blocks, int in) {
        return (o, scales, quants) -> {
            ByteBuffer b = ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN);
            int at = o * in / 32 * 34;
            for (int k = 0; k < in / 32; k++, at += 34) {
                scales[k] = b.getShort(at);
                for (int j = 0; j < 32; j++) quants[k * 32 + j] = b.get(at + 2 + j);
            }
        };
    }

    /** The format's definition, written out independently: {@code w = f32(d) · q}. */
    private static float dequantized(byte[] blocks, int in, int o, int i) {
        int at = (o * in + i) / 32 * 34;
        float d = Float.float16ToFloat((short) ((blocks[at] & 0xff) | (blocks[at + 1] << 8)));
        return d * blocks[at + 2 + i % 32];
    }

    @Test
    void dequantisationEqualsTheFormatsDefinitionBitForBit() {
        SplittableRandom rng = new SplittableRandom(1);
        int out = 3 * Q8Gemv.BLOCK + 5, in = 96;
        byte[] blocks = randomBlocks(rng, out, in);
        Q8Matrix m = Q8Matrix.of(rows(blocks, in), out, in, "w", null);
        float[] row = new float[in];
        for (int o = 0; o < out; o++) {
            m.row(o, row, 0);
            for (int i = 0; i < in; i++)
                assertEquals(Float.floatToRawIntBits(dequantized(blocks, in, o, i)), Float.floatToRawIntBits(row[i]), "w[" + o + ", " + i + "]");
        }
    }

    /**
     * The kernels equal the scalar reference (the same order of operations) bit for bit, at every
     * batch size (batch 1's four-block loop and its remainder, whole and padded 8-row groups,
     * several row passes) and with a padded last block; so every row of a batch equals its solo product.
     */
    @ParameterizedTest
    @CsvSource({"1,64,1", "1,64,9", "1,96,4", "2,64,5", "3,32,3", "5,64,2", "7,64,3", "8,64,4", "9,96,2", "16,32,3", "33,64,2", "40,64,3"})
    void kernelsEqualTheScalarReferenceAndEveryRowItsSoloProduct(int rows, int in, int blocks) {
        SplittableRandom rng = new SplittableRandom(rows * 131L + in);
        int out = blocks * Q8Gemv.BLOCK - (blocks % 2 == 1 ? 3 : 0);
        Q8Gemv.Packed w = Q8Gemv.pack(rows(randomBlocks(rng, out, in), in), out, in, null);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] expected = new float[rows * out], got = new float[rows * out];
        Q8Gemv.reference(w, x, rows, expected);
        Arrays.fill(got, Float.NaN);
        Q8Gemv.multiply(w, Q8Gemv.inputs(x, rows, in), rows, got, 0, out);
        for (int i = 0; i < got.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), "row " + i / out + " out " + i % out);
        for (int b = 0; b < rows; b++) {
            float[] solo = new float[out];
            Q8Gemv.multiply(w, Arrays.copyOfRange(x, b * in, (b + 1) * in), 1, solo, 0, out);
            for (int o = 0; o < out; o++)
                assertEquals(Float.floatToRawIntBits(solo[o]), Float.floatToRawIntBits(got[b * out + o]), "row " + b + " out " + o);
        }
    }

    /** However the pool cuts a product into chunks, every output is the one-thread product's bits. */
    @ParameterizedTest
    @CsvSource({"1,2,1000", "8,2,576", "3,3,1000", "13,2,4104", "70,3,272"})
    void pooledProductsEqualTheOneThreadProduct(int rows, int threads, int out) {
        int in = 64;
        SplittableRandom rng = new SplittableRandom(rows * 7L + out);
        Q8Matrix m = Q8Matrix.of(rows(randomBlocks(rng, out, in), in), out, in, "w", null);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] expected = new float[rows * out], got = new float[rows * out];
        Arrays.fill(got, Float.NaN);
        try (KernelPool one = new KernelPool(1); KernelPool pool = new KernelPool(threads)) {
            m.multiply(x, rows, expected, one);
            m.multiply(x, rows, got, pool);
        }
        for (int i = 0; i < got.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), "row " + i / out + " out " + i % out);
    }

    /** GGML's reference quantiser: d = max|x| / 127 as f16, q = roundf(x / d) via the reciprocal. */
    @Test
    void quantisationFollowsTheReferenceQuantiser() {
        float[] x = new float[64];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 32; i++) x[i] = (float) Math.max(-3, Math.min(3, rng.nextGaussian()));
        x[7] = -3.5f; // the block's largest magnitude: q = -127
        // second block: zeros, so d = 0 and every q = 0
        short[] d = new short[2];
        byte[] q = new byte[64];
        Q8Gemv.quantize(x, 0, 64, d, q);
        float scale = 3.5f / 127;
        assertThat(d[0]).isEqualTo(Float.floatToFloat16(scale));
        assertThat(q[7]).isEqualTo((byte) -127);
        for (int i = 0; i < 32; i++) {
            float v = x[i] * (1 / scale);
            assertThat(q[i]).as("q[%d] for %s", i, v).isEqualTo((byte) (v < 0 ? -Math.round(-v) : Math.round(v)));
            assertThat(Math.abs(Float.float16ToFloat(d[0]) * q[i] - x[i])).isLessThanOrEqualTo(scale * 0.51f);
        }
        assertThat(d[1]).isZero();
        for (int i = 32; i < 64; i++) assertThat(q[i]).isZero();
    }

    @Test
    void roundingTakesHalvesAwayFromZero() {
        assertThat(Q8Gemv.roundHalfAway(2.5f)).isEqualTo(3);
        assertThat(Q8Gemv.roundHalfAway(-2.5f)).isEqualTo(-3);
        assertThat(Q8Gemv.roundHalfAway(2.4999998f)).isEqualTo(2);
        assertThat(Q8Gemv.roundHalfAway(-0.5f)).isEqualTo(-1);
        assertThat(Q8Gemv.roundHalfAway(126.6f)).isEqualTo(127);
    }

    @Test
    void widthsThatAreNotWholeBlocksAndNonFiniteScalesAreRefused() {
        assertThatThrownBy(() -> Q8Matrix.of((o, s, q) -> {}, 16, 48, "blk.0.attn_q.weight", null))
                .hasMessageContaining("blk.0.attn_q.weight").hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> Q8Matrix.of((o, s, q) -> s[0] = (short) 0x7c00, 16, 32, "w", null))
                .hasMessageContaining("w: infinite or NaN scale in row 0");
    }

    /** Quantised from f16, a product is close to the f16 product (Q8_0's error: about 1/254 of a block's largest weight per weight). */
    @Test
    void aQuantisedMatrixMultipliesCloseToItsF16Source() {
        SplittableRandom rng = new SplittableRandom(3);
        int out = 64, in = 256;
        short[] w = new short[out * in];
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) (0.05 * rng.nextGaussian()));
        float[] x = new float[in];
        for (int i = 0; i < in; i++) x[i] = (float) rng.nextGaussian();
        try (KernelPool pool = new KernelPool(1)) {
            float[] exact = F16Matrix.wrap(w, out, in).multiply(x, 1, pool);
            float[] q8 = Q8Matrix.quantizing((o, dst) -> System.arraycopy(w, o * in, dst, 0, in), out, in, "w", pool).multiply(x, 1, pool);
            double err = 0, norm = 0;
            for (int o = 0; o < out; o++) {
                err += (q8[o] - exact[o]) * (q8[o] - exact[o]);
                norm += exact[o] * exact[o];
            }
            assertThat(Math.sqrt(err / norm)).isLessThan(0.01);
        }
    }
}
