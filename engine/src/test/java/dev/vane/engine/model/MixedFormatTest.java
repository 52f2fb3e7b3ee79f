package dev.vane.engine.model;

import dev.vane.engine.cache.KvDType;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.weights.CheckpointReader;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.WeightSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A q4_0 model whose file keeps a matrix in another block format (llama.cpp keeps the output
 * matrix of its Q4_0 files in Q6_K) runs that matrix requantised to Q8_0, not to Q4_0.
 */
class MixedFormatTest {

    /** The checkpoint, saying that {@code blocks} is stored in some other block format. */
    private record Claiming(CheckpointReader r, String blocks) implements WeightSource {
        @Override public Collection<Path> files() { return r.files(); }
        @Override public boolean has(String name) { return r.has(name); }
        @Override public float[] floats(String name, long[] shape) { return r.floats(name, shape); }
        @Override public F16Gemv.Rows f16Rows(String name, long[] shape) { return r.f16Rows(name, shape); }
        @Override public boolean storedInBlocks(String name) { return name.equals(blocks); }
        @Override public void close() { r.close(); }
    }

    private static long weightBytes(Path dir, String blocks) {
        ModelConfig cfg = HfConfig.read(dir);
        Backend backend = new Backend(Backend.Kind.JAVA, 1, "test");
        try (Claiming source = new Claiming(CheckpointReader.open(dir), blocks);
             JavaDecoder d = JavaDecoder.load(source, cfg, 32, backend, ComputeDType.Q4_0, KvDType.F16, Optional.empty(), dev.vane.attention.AttentionOptions.DEFAULT)) {
            return d.weightBytes();
        }
    }

    @Test
    void aMatrixInAnotherBlockFormatIsRequantisedToQ8() {
        Path dir = Fixtures.of(Preset.TINY_LLAMA, FileDType.F16, 4);
        ModelConfig cfg = HfConfig.read(dir);
        long all = weightBytes(dir, "none");
        long headInQ8 = weightBytes(dir, HfNames.LM_HEAD);
        int padded = (cfg.vocabSize() + 15) / 16 * 16; // whole blocks of output rows at either vector width
        long weights = (long) padded * cfg.hiddenSize();
        // Q8_0: a byte per weight; Q4_0: half a byte; the scales (f32 per 32 weights) are the same
        assertThat(headInQ8 - all).isEqualTo(weights / 2);
    }
}
