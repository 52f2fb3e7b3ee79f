package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /v1/chat/completions} against the real server (Llama 3 chat template). */
class ChatApiTest {

    private static final String MESSAGES = "\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
            + " {\"role\": \"user\", \"content\": \"Hello!\"}]";

    private final TestServer s = TestServer.shared();

    private static String greedy(int maxTokens, String extra) {
        return "{" + MESSAGES + ", \"max_completion_tokens\": " + maxTokens + ", \"temperature\": 0, \"ignore_eos\": true"
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Test
    void answersInOpenAiShape() {
        JsonNode r = s.ok("/v1/chat/completions", greedy(6, "\"model\": \"" + s.modelId + "\""));
        assertThat(r.get("id").asText()).startsWith("chatcmpl-");
        assertEquals("chat.completion", r.get("object").asText());
        assertEquals(s.modelId, r.get("model").asText());
        JsonNode c = r.get("choices").get(0);
        assertEquals(List.of("index", "message", "logprobs", "finish_reason"), CompletionsApiTest.names(c));
        assertEquals("assistant", c.get("message").get("role").asText());
        assertThat(c.get("message").get("content").isTextual()).isTrue();
        assertEquals("length", c.get("finish_reason").asText());
        assertEquals(6, r.get("usage").get("completion_tokens").asInt());
        // <|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>... assistant header
        assertThat(r.get("usage").get("prompt_tokens").asInt()).isBetween(15, 30);
        assertEquals(r.get("usage").get("prompt_tokens").asInt() + 6, r.get("usage").get("total_tokens").asInt());

        JsonNode viaMaxTokens = s.ok("/v1/chat/completions", greedy(6, "").replace("max_completion_tokens", "max_tokens"));
        assertEquals(c.get("message"), viaMaxTokens.get("choices").get(0).get("message"));
        JsonNode parts = s.ok("/v1/chat/completions", greedy(6, "").replace("\"content\": \"Hello!\"",
                "\"content\": [{\"type\": \"text\", \"text\": \"Hello!\"}]"));
        assertEquals(c.get("message"), parts.get("choices").get(0).get("message"), "text parts render like a string");
        JsonNode developer = s.ok("/v1/chat/completions", greedy(6, "").replace("\"system\"", "\"developer\""));
        assertEquals(c.get("message"), developer.get("choices").get(0).get("message"), "developer renders as system");
    }

    @Test
    void returnsChatLogprobs() {
        JsonNode r = s.ok("/v1/chat/completions", greedy(5, "\"logprobs\": true, \"top_logprobs\": 3"));
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        assertThat(lp.get("refusal").isNull()).isTrue();
        assertEquals(5, lp.get("content").size());
        StringBuilder text = new StringBuilder();
        for (JsonNode e : lp.get("content")) {
            assertEquals(List.of("token", "logprob", "bytes", "top_logprobs"), CompletionsApiTest.names(e));
            assertEquals(3, e.get("top_logprobs").size());
            assertEquals(e.get("top_logprobs").get(0).get("logprob").asDouble(), e.get("logprob").asDouble(), 1e-6,
                    "greedy picks the most likely token");
            byte[] bytes = new byte[e.get("bytes").size()];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) e.get("bytes").get(i).asInt();
            if (!e.get("token").asText().contains("\uFFFD"))
                assertEquals(e.get("token").asText(), new String(bytes, StandardCharsets.UTF_8));
            text.append(e.get("token").asText());
            for (JsonNode t : e.get("top_logprobs")) assertEquals(List.of("token", "logprob", "bytes"), CompletionsApiTest.names(t));
        }
        if (text.indexOf("\uFFFD") < 0) assertEquals(r.get("choices").get(0).get("message").get("content").asText(), text.toString());
        JsonNode none = s.ok("/v1/chat/completions", greedy(2, "\"logprobs\": true"));
        assertEquals(0, none.get("choices").get(0).get("logprobs").get("content").get(0).get("top_logprobs").size());
    }

    @Test
    void streamsRoleContentFinishUsageAndDone() {
        JsonNode whole = s.ok("/v1/chat/completions", greedy(6, "\"n\": 2"));
        List<JsonNode> chunks = s.stream("/v1/chat/completions",
                greedy(6, "\"n\": 2, \"logprobs\": true, \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        String id = chunks.get(0).get("id").asText();
        assertThat(id).startsWith("chatcmpl-");
        List<StringBuilder> texts = List.of(new StringBuilder(), new StringBuilder());
        List<List<String>> firsts = List.of(new ArrayList<>(), new ArrayList<>());
        int[] finishes = new int[2];
        int[] logprobTokens = new int[2];
        JsonNode last = chunks.get(chunks.size() - 1);
        for (JsonNode c : chunks) {
            assertEquals(id, c.get("id").asText());
            assertEquals("chat.completion.chunk", c.get("object").asText());
            if (c == last) break;
            assertThat(c.get("usage").isNull()).isTrue();
            JsonNode choice = c.get("choices").get(0);
            int i = choice.get("index").asInt();
            JsonNode delta = choice.get("delta");
            firsts.get(i).add(delta.has("role") ? "role" : delta.has("content") ? "content" : "empty");
            if (delta.has("content")) texts.get(i).append(delta.get("content").asText());
            if (!choice.get("logprobs").isNull()) logprobTokens[i] += choice.get("logprobs").get("content").size();
            if (!choice.get("finish_reason").isNull()) {
                finishes[i]++;
                assertEquals("length", choice.get("finish_reason").asText());
                assertEquals(0, delta.size(), "the finish chunk has an empty delta");
            }
        }
        for (int i = 0; i < 2; i++) {
            assertEquals("role", firsts.get(i).get(0), "the first chunk of each choice carries the role");
            assertEquals("empty", firsts.get(i).get(firsts.get(i).size() - 1));
            assertEquals(1, finishes[i]);
            assertEquals(6, logprobTokens[i]);
            assertEquals(whole.get("choices").get(i).get("message").get("content").asText(), texts.get(i).toString());
        }
        assertEquals(0, last.get("choices").size());
        assertEquals(whole.get("usage"), last.get("usage"));
    }

    @Test
    void rejectsEachInvalidFieldByName() {
        String[][] cases = {
                {"\"top_logprobs\": 2", "top_logprobs"}, {"\"logprobs\": true, \"top_logprobs\": 21", "top_logprobs"},
                {"\"logprobs\": 3", "logprobs"}, {"\"max_completion_tokens\": 0", "max_completion_tokens"},
                {"\"max_tokens\": 100000", "max_tokens"}, {"\"tools\": [{\"type\": \"function\"}]", "tools[0].function"},
                {"\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]", "tools"},
                {"\"tool_choice\": \"required\"", "tool_choice"}, {"\"response_format\": {\"type\": \"xml\"}", "response_format.type"},
                {"\"n\": 17", "n"}, {"\"temperature\": -0.5", "temperature"}, {"\"functions\": []", "functions"},
                {"\"vane\": {\"layer_skip\": {}}", "vane.layer_skip.mode"}, {"\"store\": \"no\"", "store"},
        };
        for (String[] c : cases)
            TestServer.assertError(s.post("/v1/chat/completions", "{" + MESSAGES + ", " + c[0] + "}"), 400, c[1]);
        String[][] messages = {
                {"[]", "messages"}, {"\"hi\"", "messages"}, {"[\"hi\"]", "messages[0]"},
                {"[{\"role\": \"king\", \"content\": \"x\"}]", "messages[0].role"},
                {"[{\"content\": \"x\"}]", "messages[0].role"},
                {"[{\"role\": \"user\"}]", "messages[0].content"},
                {"[{\"role\": \"user\", \"content\": 5}]", "messages[0].content"},
                {"[{\"role\": \"user\", \"content\": \"x\", \"mood\": 1}]", "messages[0].mood"},
                {"[{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]", "messages[0].content[0].type"},
        };
        for (String[] m : messages)
            TestServer.assertError(s.post("/v1/chat/completions", "{\"messages\": " + m[0] + "}"), 400, m[1]);
        TestServer.assertError(s.post("/v1/chat/completions", "{\"max_tokens\": 3}"), 400, "messages");
        TestServer.assertError(s.post("/v1/chat/completions", "{" + MESSAGES + ", \"model\": \"nope\"}"), 404, "model");
        TestServer.assertError(s.post("/v1/chat/completions", "text/plain", "{" + MESSAGES + "}"), 415, null);
        String longChat = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "hello ".repeat(600) + "\"}]}";
        TestServer.assertError(s.post("/v1/chat/completions", longChat), 413, "prompt");
        JsonNode ignored = s.ok("/v1/chat/completions", greedy(1, "\"user\": \"u\", \"store\": false, \"metadata\": {\"a\": \"b\"},"
                + " \"service_tier\": \"auto\", \"parallel_tool_calls\": true, \"tools\": [], \"tool_choice\": \"none\","
                + " \"response_format\": {\"type\": \"text\"}, \"logit_bias\": null"));
        assertEquals(1, ignored.get("usage").get("completion_tokens").asInt());
    }
}
