package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.model.ComputeDType;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Readiness under a full queue: the server stays ready (a full queue is answered per request with
 * 429 and Retry-After, as vLLM does) and the readiness body reports the queue, full or not.
 */
class ReadinessTest {

    @Test
    void aFullQueueKeepsTheServerReadyAndIsReported() throws Exception {
        ServerSettings settings = ServerSettings.defaults(TestServer.modelDir("vane-ready", false)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 1, 1024).withQueueLimit(0);
        try (VaneServer server = Main.start(settings)) {
            TestServer t = TestServer.wrap(server, settings);
            JsonNode idle = TestServer.read(t.get("/health/ready").body());
            assertThat(idle.get("queue").get("full").asBoolean()).isFalse();
            try (TestServer.RawStream stream = t.rawStream("/v1/completions",
                    "{\"prompt\": \"Tell me\", \"max_tokens\": 1000, \"ignore_eos\": true, \"stream\": true}")) {
                stream.awaitData();
                TestServer.assertError(t.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}"), 429, null);
                HttpResponse<String> ready = t.get("/health/ready");
                assertEquals(200, ready.statusCode(), ready.body());
                JsonNode body = TestServer.read(ready.body());
                assertEquals("UP", body.get("status").asText());
                assertThat(body.get("queue").get("full").asBoolean()).isTrue();
                assertThat(body.get("queue").get("running").asInt()).isEqualTo(1);
            }
        }
    }
}
