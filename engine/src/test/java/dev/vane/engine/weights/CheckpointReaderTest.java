package dev.vane.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.HfNames;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java decoder's direct reads of a checkpoint give the bits the tensor library's conversion
 * gives: f16 rows of F16, BF16 and F32 files (rounded to nearest even as PyTorch rounds), f32
 * vectors widened exactly.
 */
class CheckpointReaderTest {

    @ParameterizedTest
    @EnumSource(FileDType.class)
    void f16RowsAndFloatsEqualTheTensorLibrarysConversion(FileDType stored, @TempDir Path dir) throws Exception {
        var cfg = Preset.TINY_LLAMA.config();
        FixtureWriter.write(cfg, stored, 7, dir);
        String matrix = HfNames.layer(0, HfNames.GATE), vector = HfNames.layer(0, HfNames.INPUT_NORM);
        long[] shape = {cfg.intermediateSize(), cfg.hiddenSize()};
        try (CheckpointReader r = CheckpointReader.open(dir); NDManager m = NDManager.newBaseManager()) {
            NDArray viaTensor = r.load(matrix, shape, DataType.FLOAT16, m);
            short[] expected = new short[Math.toIntExact(viaTensor.size())];
            viaTensor.toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer().get(expected);
            CheckpointReader.F16Rows rows = r.f16Rows(matrix, shape);
            short[] row = new short[cfg.hiddenSize()], backwards = new short[expected.length], forwards = new short[expected.length];
            for (int o = cfg.intermediateSize() - 1; o >= 0; o--) { // each row from a fresh read
                rows.row(o, row);
                System.arraycopy(row, 0, backwards, o * row.length, row.length);
            }
            for (int o = 0; o < cfg.intermediateSize(); o++) { // rows from the block already read
                rows.row(o, row);
                System.arraycopy(row, 0, forwards, o * row.length, row.length);
            }
            assertThat(backwards).isEqualTo(expected);
            assertThat(forwards).isEqualTo(expected);
            assertThat(r.floats(vector, new long[] {cfg.hiddenSize()}))
                    .isEqualTo(r.load(vector, new long[] {cfg.hiddenSize()}, DataType.FLOAT32, m).toFloatArray());
        }
    }
}
