package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.model.ComputeDType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The model the README's run command serves: it loads, and a chat completion returns text. */
class BundledModelTest {

    @Test
    void defaultModelAnswersAChatCompletion() throws Exception {
        Path model = Path.of("..").resolve(ServerSettings.DEFAULT_MODEL);
        ServerSettings s = ServerSettings.defaults(model).withPort(0).withEngine(ComputeDType.F32, 2, 2, 256)
                .withAdmin(new ServerSettings.Admin(java.nio.file.Files.createTempDirectory("vane-registry"), 0, java.util.Optional.empty(),
                        64L << 20, java.util.Optional.empty())); // the bundled artifacts go to a registry of the test's own
        try (VaneServer server = Main.start(s)) {
            String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me about the weather.\"}],"
                    + " \"max_tokens\": 24, \"temperature\": 0}";
            HttpResponse<String> r = TestServer.HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode msg = TestServer.JSON.readTree(r.body()).get("choices").get(0).get("message");
            assertEquals("assistant", msg.get("role").asText());
            assertThat(msg.get("content").asText()).matches("(?s).*\\p{L}{2,}.*");
        }
    }
}
