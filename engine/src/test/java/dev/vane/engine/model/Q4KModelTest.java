package dev.vane.engine.model;

import dev.vane.attention.RopeScaling;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.cache.KvDType;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.kernel.BlockRows;
import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.kernel.Q4KGemv;
import dev.vane.engine.kernel.Q4KMatrix;
import dev.vane.engine.weights.CheckpointReader;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.WeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model whose matrices are stored in Q4_K runs them on the 4-bit kernels, packed as stored: its
 * logits are those of the same weights (GGML's dequantisation, rounded to f16) on the f16 kernels,
 * within the f16 rounding, and it holds them in 4.75 bits per weight.
 */
class Q4KModelTest {

    /** A simple Q4_K quantiser (per block min and max; scales and minima to 6 bits of the super-block's largest), for the fixture. */
    static void quantizeK(float[] x, int in, short[] scales, byte[] data) {
        for (int s = 0; s < in / 256; s++) {
            float[] scale = new float[8], min = new float[8];
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float lo = 0, hi = 0;
                for (int i = 0; i < 32; i++) {
                    lo = Math.min(lo, x[256 * s + 32 * j + i]);
                    hi = Math.max(hi, x[256 * s + 32 * j + i]);
                }
                scale[j] = (hi - lo) / 15;
                min[j] = -lo;
                maxScale = Math.max(maxScale, scale[j]);
                maxMin = Math.max(maxMin, min[j]);
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(maxScale / 63)), dmin = Float.float16ToFloat(Float.floatToFloat16(maxMin / 63));
            scales[2 * s] = Float.floatToFloat16(d);
            scales[2 * s + 1] = Float.floatToFloat16(dmin);
            int[] sc = new int[8], mc = new int[8];
            int at = s * Q4KGemv.K_DATA;
            for (int j = 0; j < 8; j++) {
                sc[j] = d == 0 ? 0 : Math.min(63, Math.round(scale[j] / d));
                mc[j] = dmin == 0 ? 0 : Math.min(63, Math.round(min[j] / dmin));
            }
            for (int j = 0; j < 4; j++) { // GGML's packing of eight 6-bit pairs into 12 bytes
                data[at + j] = (byte) (sc[j] | (sc[j + 4] >> 4) << 6);
                data[at + j + 4] = (byte) (mc[j] | (mc[j + 4] >> 4) << 6);
                data[at + j + 8] = (byte) ((sc[j + 4] & 0xF) | (mc[j + 4] & 0xF) << 4);
            }
            for (int c = 0; c < 4; c++)
                for (int i = 0; i < 32; i++) {
                    int[] n = new int[2];
                    for (int h = 0; h < 2; h++) {
                        int j = 2 * c + h;
                        float step = d * sc[j];
                        n[h] = step == 0 ? 0 : Math.max(0, Math.min(15, Math.round((x[256 * s + 32 * j + i] + dmin * mc[j]) / step)));
                    }
                    data[at + 12 + 32 * c + i] = (byte) (n[0] | n[1] << 4);
                }
        }
    }

    private static BlockRows kRows(F16Gemv.Rows f16, int in) {
        return (o, scales, data) -> {
            short[] h = new short[in];
            float[] x = new float[in];
            f16.row(o, h);
            for (int i = 0; i < in; i++) x[i] = Float.float16ToFloat(h[i]);
            quantizeK(x, in, scales, data);
        };
    }

    /** The checkpoint's matrices as Q4_K blocks ({@code asBlocks}), or as those blocks' weights rounded to f16. */
    private record QuantizedSource(CheckpointReader r, boolean asBlocks) implements WeightSource {
        @Override public Collection<Path> files() { return r.files(); }
        @Override public boolean has(String name) { return r.has(name); }
        @Override public float[] floats(String name, long[] shape) { return r.floats(name, shape); }
        @Override public boolean storedInBlocks(String name) { return asBlocks; }

        @Override
        public Optional<BlockRows> blockRows(String name, long[] shape, GgmlType type) {
            return asBlocks && type == GgmlType.Q4_K ? Optional.of(kRows(r.f16Rows(name, shape), (int) shape[1])) : Optional.empty();
        }

        @Override
        public F16Gemv.Rows f16Rows(String name, long[] shape) {
            int in = (int) shape[1];
            Q4KMatrix m = Q4KMatrix.of(kRows(r.f16Rows(name, shape), in), (int) shape[0], in, name, null);
            return (o, dst) -> {
                float[] w = new float[in];
                m.row(o, w, 0);
                for (int i = 0; i < in; i++) dst[i] = Float.floatToFloat16(w[i]);
            };
        }

        @Override public void close() { r.close(); }
    }

    @Test
    void aQ4KModelComputesItsWeightsLogitsInFourAndThreeQuarterBits(@TempDir Path dir) throws Exception {
        ModelConfig cfg = new ModelConfig(Architecture.LLAMA, 512, 256, 512, 2, 4, 2, 64, 1e-5, 10000,
                RopeScaling.NONE, 256, false, false, OptionalInt.empty(), 0, OptionalInt.empty(), List.of(2));
        FixtureWriter.write(cfg, FileDType.F16, 11, dir);
        Backend backend = new Backend(Backend.Kind.JAVA, 2, "test");
        int[] prompt = {5, 17, 300, 42, 7, 99, 123, 256};
        float[][] logits = new float[2][];
        long[] bytes = new long[2];
        for (int k = 0; k < 2; k++) {
            ComputeDType dtype = k == 0 ? ComputeDType.Q4_K : ComputeDType.F16;
            try (QuantizedSource src = new QuantizedSource(CheckpointReader.open(dir), k == 0);
                 JavaDecoder d = JavaDecoder.load(src, cfg, 64, backend, dtype, KvDType.F32, Optional.empty(), dev.vane.attention.AttentionOptions.DEFAULT);
                 KvCache cache = d.newCache(1, 64)) {
                logits[k] = d.forwardLogits(dev.vane.engine.model.StepInput.prompt(prompt, 0), cache, StepHooks.NONE, LogitsMode.ALL);
                bytes[k] = d.weightBytes();
            }
        }
        int v = cfg.vocabSize();
        double worst = 0;
        for (int t = 0; t < prompt.length; t++) {
            int a = 0, b = 0;
            for (int i = 0; i < v; i++) {
                if (logits[0][t * v + i] > logits[0][t * v + a]) a = i;
                if (logits[1][t * v + i] > logits[1][t * v + b]) b = i;
                worst = Math.max(worst, Math.abs(logits[0][t * v + i] - logits[1][t * v + i]));
            }
            assertThat(a).as("top-1 at position %d", t).isEqualTo(b);
        }
        // the f16 side rounds each weight to 11 bits: the logits differ by that rounding alone
        assertThat(worst).isGreaterThan(0).isLessThan(0.02);
        // every matrix in 4-bit blocks: 19/32 bytes a weight (0.5 + f32 super-block scales and 6-bit block scales) against f16's 2
        assertThat((double) bytes[0]).isLessThan(0.35 * bytes[1]);
    }
}
