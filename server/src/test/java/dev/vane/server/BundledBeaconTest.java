package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bundled model's beacon parameters, as a new user meets them: the server started with no
 * flags answers {@code "vane": {"beacon": {"ratio": 8}}} on a prompt six times its 256-token
 * training context, which without beacons is refused.
 */
class BundledBeaconTest {

    @TempDir
    Path tmp;

    @Test
    void aPromptFarBeyondTheTrainingContextRunsAtRatio8() throws Exception {
        String prompt = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again. ".repeat(80);
        String request = "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 8, \"temperature\": 0%s}";
        ServerSettings s = TestServer.demo(tmp.resolve("registry"));
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            TestServer.assertError(t.post("/v1/completions", request.formatted("")), 413, "prompt");
            JsonNode r = t.ok("/v1/completions", request.formatted(", \"vane\": {\"beacon\": {\"ratio\": 8}}"));
            int promptTokens = r.at("/usage/prompt_tokens").asInt();
            assertThat(promptTokens).isGreaterThan(6 * 256);
            assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(8);
            JsonNode c = r.at("/vane/beacon/choices/0");
            assertThat(c.get("ratio").asInt()).isEqualTo(8);
            int fed = c.get("tokens").asInt(), m = fed % 64;
            assertThat(fed).as("prompt and generated tokens but the last").isEqualTo(promptTokens + 7);
            assertThat(c.get("kv_entries").asInt()).as("sink + ⌊N/W⌋·W/r + m + ⌊m/r⌋").isEqualTo(1 + fed / 64 * 8 + m + m / 8);
        }
    }
}
