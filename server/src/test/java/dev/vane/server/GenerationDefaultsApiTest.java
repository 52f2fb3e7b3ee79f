package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The model's generation_config.json sampling defaults, applied to the fields a request leaves out. */
class GenerationDefaultsApiTest {

    private static String text(TestServer t, String extra) {
        return t.ok("/v1/completions", "{\"prompt\": \"one two three\", \"max_tokens\": 24, \"temperature\": 0" + extra + "}")
                .get("choices").get(0).get("text").asText();
    }

    @Test
    void aRequestThatLeavesAFieldOutGetsTheModelsDefault() throws Exception {
        Path dir = TestServer.modelDir("vane-gen-defaults", false);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 1, \"repetition_penalty\": 3.0}");
        ServerSettings s = ServerSettings.defaults(dir).withPort(0);
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            String byDefault = text(t, ""), explicit = text(t, ", \"repetition_penalty\": 3.0"), plain = text(t, ", \"repetition_penalty\": 1.0");
            assertThat(byDefault).isEqualTo(explicit);
            assertThat(plain).as("the request's own value wins").isNotEqualTo(byDefault);
        }
    }

    @Test
    void aDefaultOutOfRangeStopsTheStartNamingTheFile() throws Exception {
        Path dir = TestServer.modelDir("vane-gen-bad", false);
        Files.writeString(dir.resolve("generation_config.json"), "{\"repetition_penalty\": -2}");
        assertThatThrownBy(() -> Main.start(ServerSettings.defaults(dir).withPort(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generation_config.json").hasMessageContaining("repetition_penalty");
    }
}
