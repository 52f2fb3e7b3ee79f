package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.weights.FileDType;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Starts the real server on a free port over a tiny model with the Llama 3 tokenizer. */
class GenerateServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("vane-server");
        FixtureWriter.write(Preset.TINY_LLAMA3_VOCAB.config(), FileDType.F16, 5, dir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            Files.copy(Path.of("../engine/src/test/resources/tokenizers/llama3", f), dir.resolve(f),
                    StandardCopyOption.REPLACE_EXISTING);
        server = Main.start(new ServerSettings(dir, "127.0.0.1", 0, ComputeDType.F32, 2, 2, 128));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void generatesGreedyTextWithUsageAndTimings() throws Exception {
        var r = post("/v1/generate", "application/json",
                "{\"prompt\": \"Hello there\", \"max_tokens\": 8, \"temperature\": 0, \"ignore_eos\": true, \"logprobs\": 2}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        assertEquals(8, j.get("token_ids").size());
        assertEquals("length", j.get("finish_reason").asText());
        assertEquals(8, j.get("usage").get("completion_tokens").asInt());
        assertEquals(2, j.get("logprobs").get(0).get("top").size());
        assertThat(j.get("timings").get("total_ms").asDouble()).isPositive();
        var again = JSON.readTree(post("/v1/generate", "application/json",
                "{\"prompt\": \"Hello there\", \"max_tokens\": 8, \"temperature\": 0, \"ignore_eos\": true}").body());
        assertEquals(j.get("token_ids"), again.get("token_ids"), "greedy is deterministic");
    }

    @Test
    void streamsTokensAndEndsWithDone() throws Exception {
        var r = post("/v1/generate", "application/json",
                "{\"prompt\": [128000, 9906], \"max_tokens\": 5, \"temperature\": 0, \"ignore_eos\": true, \"stream\": true}");
        assertEquals(200, r.statusCode());
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertEquals(7, events.size(), r.body()); // 5 tokens, finish, [DONE]
        assertEquals("data: [DONE]", events.get(6));
        assertThat(events.get(5)).contains("\"finish_reason\":\"length\"");
    }

    @Test
    void badInputGetsA4xxNamingTheField() throws Exception {
        assertError(post("/v1/generate", "application/json", "{\"prompt\": \"x\", \"temperature\": -1}"), 400, "temperature");
        assertError(post("/v1/generate", "application/json", "{\"prompt\": \"x\", \"top_p\": 0}"), 400, "top_p");
        assertError(post("/v1/generate", "application/json", "{\"prompt\": \"x\", \"max_tokens\": 100000}"), 400, "max_tokens");
        assertError(post("/v1/generate", "application/json", "{\"prompt\": \"x\", \"temprature\": 1}"), 400, "temprature");
        assertError(post("/v1/generate", "application/json", "{\"max_tokens\": 3}"), 400, "prompt");
        assertError(post("/v1/generate", "application/json", "{\"prompt\": [1, -4]}"), 400, "prompt");
        assertError(post("/v1/generate", "application/json", "{\"prompt\": \"x\","), 400, null);
        assertError(post("/v1/generate", "text/plain", "{\"prompt\": \"x\"}"), 415, null);
        String longPrompt = "[" + "9906,".repeat(200) + "9906]";
        assertError(post("/v1/generate", "application/json", "{\"prompt\": " + longPrompt + "}"), 413, "prompt");
    }

    @Test
    void listsTheModelAndReportsHealth() throws Exception {
        var models = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("model", JSON.readTree(models.body()).get("data").get(0).get("object").asText());
        var ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode());
    }

    private static void assertError(HttpResponse<String> r, int status, String param) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode err = JSON.readTree(r.body()).get("error");
        assertThat(err.get("message").asText()).isNotBlank();
        if (param == null) assertThat(err.get("param").isNull()).isTrue();
        else assertEquals(param, err.get("param").asText());
    }
}
