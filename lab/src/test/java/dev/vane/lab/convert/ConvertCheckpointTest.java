package dev.vane.lab.convert;

import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.Fixtures;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConvertCheckpointTest {

    @Test
    void f32CheckpointRewrittenAsF16KeepsItsOutputs(@TempDir Path tmp) throws Exception {
        Path in = Fixtures.of(Preset.TINY_QWEN3, FileDType.F32, 8);
        ConvertCheckpoint.run(in, tmp, FileDType.F16);
        try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("model.safetensors"))) {
            f.tensors().values().forEach(t -> assertEquals(FileDType.F16, t.dtype(), t.name()));
        }
        int[] prompt = {1, 2, 3, 4, 5};
        try (TensorDecoder a = ModelLoader.loadTensor(in, ComputeDType.F32, 16);
             TensorDecoder b = ModelLoader.loadTensor(tmp, ComputeDType.F32, 16);
             NDScope s = new NDScope()) {
            float[] la = a.forward(StepInput.prompt(prompt, 0), TensorHooks.NONE, LogitsMode.LAST).toFloatArray();
            float[] lb = b.forward(StepInput.prompt(prompt, 0), TensorHooks.NONE, LogitsMode.LAST).toFloatArray();
            assertArrayEquals(la, lb, 0.05f);
        }
    }
}
