package dev.vane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.model.ComputeDType;
import dev.vane.server.Main;
import dev.vane.server.ServerSettings;
import dev.vane.server.VaneServer;
import dev.vane.steering.DemoModelDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code vane convert --out FILE.gguf --dtype q8_0}, then {@code vane serve --model FILE.gguf}: the
 * file alone (weights, tokenizer, chat template) serves the chat API, and answers what the
 * checkpoint quantised at load answers.
 */
class GgufServeTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode chat(VaneServer server, String text) throws Exception {
        String body = "{\"messages\": [{\"role\": \"user\", \"content\": " + JSON.writeValueAsString(text) + "}],"
                + " \"max_tokens\": 24, \"temperature\": 0}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void aConvertedQ8FileServesChatAsTheCheckpointQuantisedAtLoad(@TempDir Path tmp) throws Exception {
        Path gguf = tmp.resolve("demo-q8.gguf");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = Cli.execute(new Context(ps, ps, Map.of(), tmp.resolve("absent.yaml")),
                "convert", "--model", DemoModelDir.path().toString(), "--out", gguf.toString(), "--dtype", "q8_0");
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));

        String fromFile, fromCheckpoint;
        try (VaneServer server = Main.start(ServerSettings.defaults(gguf).withPort(0).withEngine(ComputeDType.Q8_0, 2, 2, 256))) {
            assertThat(server.backend().toString()).contains("java kernels");
            JsonNode r = chat(server, "What is the capital of France?");
            assertThat(r.get("model").asText()).isEqualTo("demo-q8");
            fromFile = r.get("choices").get(0).get("message").get("content").asText();
        }
        try (VaneServer server = Main.start(ServerSettings.defaults(DemoModelDir.path()).withPort(0)
                .withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, java.util.Optional.empty(), 64L << 20, java.util.Optional.empty()))
                .withEngine(ComputeDType.Q8_0, 2, 2, 256))) {
            fromCheckpoint = chat(server, "What is the capital of France?").get("choices").get(0).get("message").get("content").asText();
        }
        assertThat(fromFile).isNotEmpty().isEqualTo(fromCheckpoint);
    }
}
