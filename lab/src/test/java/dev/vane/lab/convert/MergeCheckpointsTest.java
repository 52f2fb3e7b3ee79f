package dev.vane.lab.convert;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.Fixtures;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code vane merge}: every parameter base + w · (model − base), on checkpoints written in real shapes. */
class MergeCheckpointsTest {

    @TempDir
    Path tmp;

    private static Map<String, float[]> tensors(Path dir) throws Exception {
        Map<String, float[]> all = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            f.tensors().forEach((name, t) -> {
                assertEquals(FileDType.F32, t.dtype(), name);
                java.nio.FloatBuffer fb = f.map(t).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                all.put(name, v);
            });
        }
        return all;
    }

    @Test
    void everyTensorIsTheInterpolationAndTheEndsAreTheTwoCheckpoints() throws Exception {
        Path base = Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 3), model = Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 4);
        Map<String, float[]> a = tensors(base), b = tensors(model);
        for (double w : new double[] {0, 0.3, 1}) {
            Path out = tmp.resolve("w" + w);
            MergeCheckpoints.run(base, model, w, out, FileDType.F32);
            Map<String, float[]> m = tensors(out);
            assertThat(m.keySet()).isEqualTo(b.keySet());
            for (String name : b.keySet()) {
                float[] x = a.get(name), y = b.get(name), z = m.get(name);
                for (int i = 0; i < z.length; i++)
                    assertEquals(x[i] + w * (y[i] - x[i]), z[i], 1e-6 * (1 + Math.abs(y[i])), name + "[" + i + "] at w " + w);
            }
        }
        assertThat(tensors(tmp.resolve("w0.0")).get("model.norm.weight")).containsExactly(a.get("model.norm.weight"));
    }

    @Test
    void checkpointsOfAnotherGeometryOrAWeightOutsideZeroToOneAreRefusedByName() {
        Path base = Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 3), other = Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 3);
        assertThatThrownBy(() -> MergeCheckpoints.run(base, other, 0.5, tmp.resolve("x"), FileDType.F32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--base: its config.json differs from --model's (");
        assertThatThrownBy(() -> MergeCheckpoints.run(base, base, 1.5, tmp.resolve("y"), FileDType.F32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--weight");
    }
}
