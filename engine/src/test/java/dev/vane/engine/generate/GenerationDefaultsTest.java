package dev.vane.engine.generate;

import dev.vane.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code generation_config.json} (or a GGUF file's {@code general.sampling.*}) as sampling defaults: read, applied under a request's own fields, refused when out of range. */
class GenerationDefaultsTest {

    @TempDir
    Path dir;

    @Test
    void theFilesSamplingKeysBecomeDefaultsThatARequestOverrides() throws Exception {
        Files.writeString(dir.resolve("generation_config.json"),
                "{\"bos_token_id\": 0, \"eos_token_id\": [1, 6], \"do_sample\": true, \"temperature\": 0.7, \"top_p\": 0.9, \"top_k\": 40,"
                        + " \"repetition_penalty\": 1.3, \"max_length\": 256}");
        GenerationDefaults d = GenerationDefaults.read(dir);
        assertThat(d.describe()).isEqualTo("temperature 0.7, top_p 0.9, top_k 40, repetition_penalty 1.3");
        SamplingParams p = d.builder().build();
        assertThat(p.temperature()).isEqualTo(0.7);
        assertThat(p.topP()).isEqualTo(0.9);
        assertThat(p.topK()).isEqualTo(40);
        assertThat(p.repetitionPenalty()).isEqualTo(1.3);
        SamplingParams own = d.builder().temperature(0).repetitionPenalty(1.0).build();
        assertThat(own.temperature()).isZero();
        assertThat(own.repetitionPenalty()).isEqualTo(1.0);
        assertThat(own.topK()).isEqualTo(40);
    }

    @Test
    void noFileGivesNoDefaults() {
        assertThat(GenerationDefaults.read(dir)).isEqualTo(GenerationDefaults.NONE);
        assertThat(SamplingParams.builder().build()).isEqualTo(GenerationDefaults.NONE.builder().build());
    }

    @Test
    void aGgufFileCarriesThemUnderLlamaCppsKeys() throws Exception {
        Path gguf = dir.resolve("m.gguf");
        new GgufWriter().putString("general.architecture", "llama").putFloat32("general.sampling.temp", 0.5f)
                .putInt32("general.sampling.top_k", 20).putFloat32("general.sampling.penalty_repeat", 1.25f).write(gguf);
        assertThat(GenerationDefaults.read(gguf).describe()).isEqualTo("temperature 0.5, top_k 20, repetition_penalty 1.25");
        new GgufWriter().putString("general.architecture", "llama").write(gguf);
        assertThat(GenerationDefaults.read(gguf)).isEqualTo(GenerationDefaults.NONE);
        new GgufWriter().putString("general.sampling.top_p", "high").write(gguf);
        assertThatThrownBy(() -> GenerationDefaults.read(gguf)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m.gguf").hasMessageContaining("'general.sampling.top_p' must be a float, got STRING");
        new GgufWriter().putFloat32("general.sampling.top_k", 3f).write(gguf);
        assertThatThrownBy(() -> GenerationDefaults.read(gguf)).hasMessageContaining("'general.sampling.top_k' must be a 32-bit integer");
        new GgufWriter().putFloat32("general.sampling.penalty_repeat", -1f).write(gguf);
        assertThatThrownBy(() -> GenerationDefaults.read(gguf)).hasMessageContaining("m.gguf").hasMessageContaining("repetition_penalty");
        Files.writeString(gguf, "not a gguf file");
        assertThatThrownBy(() -> GenerationDefaults.read(gguf)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m.gguf");
    }

    @Test
    void aBadValueNamesTheFileAndTheKey() throws Exception {
        Path file = dir.resolve("generation_config.json");
        Files.writeString(file, "{\"temperature\": \"hot\"}");
        assertThatThrownBy(() -> GenerationDefaults.read(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generation_config.json").hasMessageContaining("temperature must be a number");
        Files.writeString(file, "{\"top_p\": 1.5}");
        assertThatThrownBy(() -> GenerationDefaults.read(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generation_config.json").hasMessageContaining("top_p");
        Files.writeString(file, "{\"top_k\": 2.5}");
        assertThatThrownBy(() -> GenerationDefaults.read(dir)).hasMessageContaining("top_k must be an integer");
        Files.writeString(file, "[1]");
        assertThatThrownBy(() -> GenerationDefaults.read(dir)).hasMessageContaining("not a JSON object");
    }
}
