package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The native {@code POST /v1/generate} route. */
class GenerateServiceTest {

    private final TestServer s = TestServer.shared();

    @Test
    void generatesGreedyTextWithUsageAndTimings() {
        JsonNode j = s.ok("/v1/generate",
                "{\"prompt\": \"Hello there\", \"max_tokens\": 8, \"temperature\": 0, \"ignore_eos\": true, \"logprobs\": 2}");
        assertEquals(8, j.get("token_ids").size());
        assertEquals("length", j.get("finish_reason").asText());
        assertEquals(8, j.get("usage").get("completion_tokens").asInt());
        assertEquals(2, j.get("logprobs").get(0).get("top").size());
        assertThat(j.get("timings").get("total_ms").asDouble()).isPositive();
        JsonNode again = s.ok("/v1/generate",
                "{\"prompt\": \"Hello there\", \"max_tokens\": 8, \"temperature\": 0, \"ignore_eos\": true}");
        assertEquals(j.get("token_ids"), again.get("token_ids"), "greedy is deterministic");
        JsonNode completion = s.ok("/v1/completions",
                "{\"prompt\": \"Hello there\", \"max_tokens\": 8, \"temperature\": 0, \"ignore_eos\": true}");
        assertEquals(j.get("text"), completion.get("choices").get(0).get("text"), "same engine behind both routes");
    }

    @Test
    void streamsTokensAndEndsWithDone() {
        List<JsonNode> events = s.stream("/v1/generate",
                "{\"prompt\": [128000, 9906], \"max_tokens\": 5, \"temperature\": 0, \"ignore_eos\": true, \"stream\": true}");
        assertEquals(6, events.size()); // 5 tokens, finish
        assertThat(events.get(0).get("token").isInt()).isTrue();
        assertEquals("length", events.get(5).get("finish_reason").asText());
    }

    @Test
    void badInputGetsA4xxNamingTheField() {
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": \"x\", \"temperature\": -1}"), 400, "temperature");
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": \"x\", \"top_p\": 0}"), 400, "top_p");
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": \"x\", \"max_tokens\": 100000}"), 400, "max_tokens");
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": \"x\", \"temprature\": 1}"), 400, "temprature");
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": \"x\", \"vane\": {\"bogus\": 1}}"), 400, "vane.bogus");
        TestServer.assertError(s.post("/v1/generate", "{\"max_tokens\": 3}"), 400, "prompt");
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": [1, -4]}"), 400, "prompt");
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": \"x\","), 400, null);
        TestServer.assertError(s.post("/v1/generate", "text/plain", "{\"prompt\": \"x\"}"), 415, null);
        String longPrompt = "[" + "9906,".repeat(600) + "9906]";
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": " + longPrompt + "}"), 413, "prompt");
    }
}
