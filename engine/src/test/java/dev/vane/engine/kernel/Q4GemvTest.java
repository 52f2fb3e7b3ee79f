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

class Q4GemvTest {

    /** Random Q4_0 blocks as GGML stores them: per block an f16 scale, then 16 bytes of two nibbles (18 bytes). */
    private static byte[] randomBlocks(SplittableRandom rng, int out, int in) {
        ByteBuffer b = ByteBuffer.allocate(out * in / 32 * 18).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < out * in / 32; k++) {
            b.putShort(Float.floatToFloat16((float) (rng.nextGaussian() * 0.01)));
            for (int j = 0; j < 16; j++) b.put((byte) rng.nextInt(256));
        }
        return b.array();
    }

    private static BlockRows rows(byte[] blocks, int in) {
        return (o, scales, nibbles) -> {
            ByteBuffer b = ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN);
            int at = o * in / 32 * 18;
            for (int k = 0; k < in / 32; k++, at += 18) {
                scales[k] = b.getShort(at);
                for (int j = 0; j < 16; j++) nibbles[k * 16 + j] = b.get(at + 2 + j);
            }
        };
    }

    /** The format's definition, written out independently: byte j holds weight j low and j + 16 high, {@code w = f32(d) · (n − 8)}. */
    private static float dequantized(byte[] blocks, int in, int o, int i) {
        int at = (o * in + i) / 32 * 18, r = i % 32;
        float d = Float.float16ToFloat((short) ((blocks[at] & 0xff) | (blocks[at + 1] << 8)));
        int packed = blocks[at + 2 + r % 16] & 0xff;
        return d * ((r < 16 ? packed & 15 : packed >> 4) - 8);
    }

    @Test
    void dequantisationEqualsTheFormatsDefinitionBitForBit() {
        SplittableRandom rng = new SplittableRandom(1);
        int out = 3 * Q4Gemv.BLOCK + 5, in = 96;
        byte[] blocks = randomBlocks(rng, out, in);
        Q4Matrix m = Q4Matrix.of(rows(blocks, in), out, in, "w", null);
        float[] row = new float[in];
        for (int o = 0; o < out; o++) {
            m.row(o, row, 0);
            for (int i = 0; i < in; i++)
                assertEquals(Float.floatToRawIntBits(dequantized(blocks, in, o, i)), Float.floatToRawIntBits(row[i]), "w[" + o + ", " + i + "]");
        }
    }

    /** The kernels equal the scalar reference bit for bit at every batch size, so every row equals its solo product. */
    @ParameterizedTest
    @CsvSource({"1,64,1", "1,64,9", "1,96,4", "2,64,5", "3,32,3", "5,64,2", "7,64,3", "8,64,4", "9,96,2", "16,32,3", "33,64,2", "40,64,3"})
    void kernelsEqualTheScalarReferenceAndEveryRowItsSoloProduct(int rows, int in, int blocks) {
        SplittableRandom rng = new SplittableRandom(rows * 131L + in);
        int out = blocks * Q4Gemv.BLOCK - (blocks % 2 == 1 ? 3 : 0);
        Q4Gemv.Packed w = Q4Gemv.pack(rows(randomBlocks(rng, out, in), in), out, in, null);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] expected = new float[rows * out], got = new float[rows * out];
        Q4Gemv.reference(w, x, rows, expected);
        Arrays.fill(got, Float.NaN);
        Q4Gemv.multiply(w, Q8Gemv.inputs(x, rows, in), rows, got, 0, out);
        for (int i = 0; i < got.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), "row " + i / out + " out " + i % out);
        for (int b = 0; b < rows; b++) {
            float[] solo = new float[out];
            Q4Gemv.multiply(w, Arrays.copyOfRange(x, b * in, (b + 1) * in), 1, solo, 0, out);
            for (int o = 0; o < out; o++)
                assertEquals(Float.floatToRawIntBits(solo[o]), Float.floatToRawIntBits(got[b * out + o]), "row " + b + " out " + o);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,2,1000", "8,2,576", "3,3,1000", "13,2,4104", "70,3,272"})
    void pooledProductsEqualTheOneThreadProduct(int rows, int threads, int out) {
        int in = 64;
        SplittableRandom rng = new SplittableRandom(rows * 7L + out);
        Q4Matrix m = Q4Matrix.of(rows(randomBlocks(rng, out, in), in), out, in, "w", null);
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

    /** GGML's reference quantiser: the signed value of largest magnitude m gives d = m / −8; n = min(15, trunc(x/d + 8.5)). */
    @Test
    void quantisationFollowsTheReferenceQuantiser() {
        float[] x = new float[64];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 32; i++) x[i] = (float) Math.max(-3, Math.min(3, rng.nextGaussian()));
        x[20] = 3.5f; // the largest magnitude, positive: d < 0, and it maps to n = 0
        short[] d = new short[2];
        byte[] q = new byte[32];
        Q4Gemv.quantize(x, 0, 64, d, q);
        float scale = 3.5f / -8;
        assertThat(d[0]).isEqualTo(Float.floatToFloat16(scale));
        assertThat((q[4] >> 4) & 15).isZero(); // x[20] is the high nibble of byte 4
        for (int i = 0; i < 32; i++) {
            int n = Math.min(15, (int) (x[i] * (1 / scale) + 8.5f));
            int stored = i < 16 ? q[i] & 15 : (q[i - 16] >> 4) & 15;
            assertThat(stored).as("n[%d]", i).isEqualTo(n);
            assertThat(Math.abs(Float.float16ToFloat(d[0]) * (stored - 8) - x[i])).isLessThanOrEqualTo(Math.abs(scale) * 0.51f);
        }
        assertThat(Float.float16ToFloat(d[1])).isZero(); // a block of zeros: d = 0 / −8 (a negative zero, as GGML's), n = 8
        for (int j = 16; j < 32; j++) assertThat(q[j]).isEqualTo((byte) 0x88);
    }

    @Test
    void widthsThatAreNotWholeBlocksAreRefused() {
        assertThatThrownBy(() -> Q4Matrix.of((o, s, q) -> {}, 16, 48, "blk.0.ffn_up.weight", null))
                .hasMessageContaining("blk.0.ffn_up.weight").hasMessageContaining("multiple of 32");
    }
}
