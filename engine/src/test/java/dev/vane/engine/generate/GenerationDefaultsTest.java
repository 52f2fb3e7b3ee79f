package dev.vane.engine.generate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code generation_config.json} as sampling defaults: read, applied under a request's own fields, refused when out of range. */
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
    void noFileOrAGgufFileGivesNoDefaults() throws Exception {
        assertThat(GenerationDefaults.read(dir)).isEqualTo(GenerationDefaults.NONE);
        Path gguf = Files.writeString(dir.resolve("m.gguf"), "x");
        assertThat(GenerationDefaults.read(gguf)).isEqualTo(GenerationDefaults.NONE);
        assertThat(SamplingParams.builder().build()).isEqualTo(GenerationDefaults.NONE.builder().build());
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
