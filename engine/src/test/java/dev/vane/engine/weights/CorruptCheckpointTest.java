package dev.vane.engine.weights;

import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.model.Backend;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.WeightCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every broken checkpoint fails with a {@link CheckpointException} naming the file and tensor. */
class CorruptCheckpointTest {

    private static Path fixture(Path dir) throws IOException {
        return FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F32, 1, dir);
    }

    /** The error of loading {@code dir} on the tensor path; the Java decoder's direct reader must name the same problem. */
    private static String loadError(Path dir) {
        String tensor = assertThrows(CheckpointException.class, () -> ModelLoader.loadTensor(dir, ComputeDType.F32, 16).close())
                .getMessage();
        if (F16Gemv.supported()) {
            LoadOptions java = new LoadOptions(Optional.of(ComputeDType.F16), 16, Backend.Request.JAVA, 1, WeightCache.OFF);
            assertThat(assertThrows(CheckpointException.class, () -> ModelLoader.load(dir, java).close()).getMessage())
                    .isEqualTo(tensor);
        }
        return tensor;
    }

    @Test
    void truncatedFileNamesFileAndTensor(@TempDir Path dir) throws IOException {
        Path f = fixture(dir).resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        String msg = loadError(dir);
        assertThat(msg).contains("model.safetensors").contains("truncated").contains("lm_head.weight");
    }

    @Test
    void truncatedHeader(@TempDir Path dir) throws IOException {
        Path f = fixture(dir).resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(20);
        }
        assertThat(loadError(dir)).contains("model.safetensors").contains("header");
    }

    @Test
    void wrongShapeNamesTensorAndShapes(@TempDir Path dir) throws IOException {
        fixture(dir);
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"intermediate_size\" : 128", "\"intermediate_size\" : 96"));
        assertThat(loadError(dir)).contains("model.safetensors").contains("model.layers.0.mlp.gate_proj.weight")
                .contains("[128, 64]").contains("[96, 64]");
    }

    @Test
    void unknownArchitecture(@TempDir Path dir) throws IOException {
        fixture(dir);
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("LlamaForCausalLM", "GPT2LMHeadModel"));
        assertThat(loadError(dir)).contains("config.json").contains("unknown architecture 'GPT2LMHeadModel'");
    }

    @Test
    void malformedConfigJson(@TempDir Path dir) throws IOException {
        fixture(dir);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\",");
        assertThat(loadError(dir)).contains("config.json").contains("malformed JSON");
    }

    @Test
    void missingTensor(@TempDir Path dir) throws IOException {
        fixture(dir);
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3"));
        assertThat(loadError(dir)).contains("model.safetensors").contains("missing tensor 'model.layers.2.");
    }

    @Test
    void missingWeightsFile(@TempDir Path dir) throws IOException {
        fixture(dir);
        Files.delete(dir.resolve("model.safetensors"));
        assertThat(loadError(dir)).contains("model.safetensors").contains("not found");
    }

    @Test
    void unsupportedDtypeAndBadOffsets(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.safetensors");
        writeRaw(f, "{\"a\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        assertThat(assertThrows(CheckpointException.class, () -> SafetensorsFile.open(f)).getMessage())
                .contains("tensor 'a'").contains("unsupported dtype 'I8'");
        writeRaw(f, "{\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertThat(assertThrows(CheckpointException.class, () -> SafetensorsFile.open(f)).getMessage())
                .contains("tensor 'b'").contains("does not match shape");
        writeRaw(f, "not json at all", 0);
        assertThat(assertThrows(CheckpointException.class, () -> SafetensorsFile.open(f)).getMessage())
                .contains("malformed safetensors header");
    }

    @Test
    void shardedCheckpointLoadsAndBadIndexIsNamed(@TempDir Path dir) throws IOException {
        fixture(dir);
        Files.move(dir.resolve("model.safetensors"), dir.resolve("model-00001-of-00001.safetensors"));
        StringBuilder map = new StringBuilder("{\"weight_map\":{");
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model-00001-of-00001.safetensors"))) {
            f.tensors().keySet().forEach(n -> map.append('"').append(n).append("\":\"model-00001-of-00001.safetensors\","));
        }
        map.setLength(map.length() - 1);
        map.append("}}");
        Files.writeString(dir.resolve("model.safetensors.index.json"), map.toString());
        ModelLoader.loadTensor(dir, ComputeDType.F32, 16).close();

        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"model.norm.weight\":\"../../etc/passwd\"}}");
        assertThat(loadError(dir)).contains("model.safetensors.index.json").contains("escapes");
    }

    private static void writeRaw(Path f, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(f, b.array());
    }
}
