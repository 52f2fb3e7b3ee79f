package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /v1/completions} against the real server. */
class CompletionsApiTest {

    private final TestServer s = TestServer.shared();

    private static String greedy(String prompt, int maxTokens, String extra) {
        return "{\"prompt\": " + prompt + ", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"ignore_eos\": true"
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Test
    void answersInOpenAiShape() {
        JsonNode r = s.ok("/v1/completions", greedy("\"Hello there\"", 6, "\"model\": \"" + s.modelId + "\", \"user\": \"u1\""));
        assertThat(r.get("id").asText()).startsWith("cmpl-");
        assertEquals("text_completion", r.get("object").asText());
        assertThat(r.get("created").asLong()).isGreaterThan(1_600_000_000L);
        assertEquals(s.modelId, r.get("model").asText());
        assertEquals(1, r.get("choices").size());
        JsonNode c = r.get("choices").get(0);
        assertEquals(List.of("text", "index", "logprobs", "finish_reason"), names(c));
        assertEquals(0, c.get("index").asInt());
        assertThat(c.get("logprobs").isNull()).isTrue();
        assertEquals("length", c.get("finish_reason").asText());
        JsonNode u = r.get("usage");
        assertEquals(2, u.get("prompt_tokens").asInt()); // "Hello", " there"; this tokenizer adds no BOS
        assertEquals(6, u.get("completion_tokens").asInt());
        assertEquals(8, u.get("total_tokens").asInt());
        assertThat(r.has("vane")).isFalse();
        JsonNode again = s.ok("/v1/completions", greedy("\"Hello there\"", 6, ""));
        assertEquals(c.get("text"), again.get("choices").get(0).get("text"), "greedy is deterministic");
    }

    @Test
    void acceptsEveryPromptFormAndOrdersChoicesPromptMajor() {
        JsonNode hello = s.ok("/v1/completions", greedy("\"Hello\"", 5, ""));
        JsonNode goodbye = s.ok("/v1/completions", greedy("\"Goodbye\"", 5, ""));
        String a = text(hello, 0);
        String b = text(goodbye, 0);
        assertEquals(a, text(s.ok("/v1/completions", greedy("[9906]", 5, "")), 0), "token ids of \"Hello\"");
        JsonNode multi = s.ok("/v1/completions", greedy("[\"Hello\", \"Goodbye\"]", 5, "\"n\": 2"));
        assertEquals(4, multi.get("choices").size());
        for (int i = 0; i < 4; i++) assertEquals(i, multi.get("choices").get(i).get("index").asInt());
        assertEquals(List.of(a, a, b, b), List.of(text(multi, 0), text(multi, 1), text(multi, 2), text(multi, 3)));
        assertEquals(hello.get("usage").get("prompt_tokens").asInt() + goodbye.get("usage").get("prompt_tokens").asInt(),
                multi.get("usage").get("prompt_tokens").asInt(), "prompt tokens count once per prompt");
        assertEquals(20, multi.get("usage").get("completion_tokens").asInt());
        JsonNode nested = s.ok("/v1/completions", greedy("[[9906], [9906, 1070]]", 5, ""));
        assertEquals(a, text(nested, 0));
        assertEquals(3, nested.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void seededSamplingIsReproducibleAndChoicesDiffer() {
        String body = "{\"prompt\": \"Once upon\", \"max_tokens\": 8, \"temperature\": 1.0, \"top_k\": 50, \"min_p\": 0.0,"
                + " \"repetition_penalty\": 1.1, \"presence_penalty\": 0.5, \"frequency_penalty\": 0.2,"
                + " \"seed\": 1234, \"n\": 3, \"ignore_eos\": true}";
        JsonNode one = s.ok("/v1/completions", body);
        JsonNode two = s.ok("/v1/completions", body);
        for (int i = 0; i < 3; i++) assertEquals(text(one, i), text(two, i));
        assertThat(List.of(text(one, 0), text(one, 1), text(one, 2))).doesNotHaveDuplicates();
    }

    @Test
    void stopStringsCutTheText() {
        JsonNode full = s.ok("/v1/completions", greedy("\"The weather\"", 12, "\"logprobs\": 0"));
        JsonNode tokens = full.get("choices").get(0).get("logprobs").get("tokens");
        String text = text(full, 0);
        String stop = null;
        for (int i = 2; i < tokens.size() && stop == null; i++)
            if (!tokens.get(i).asText().isBlank() && !tokens.get(i).asText().contains("\uFFFD")) stop = tokens.get(i).asText();
        assertThat(stop).as("a stop string from the greedy text " + tokens).isNotNull();
        String expected = text.substring(0, text.indexOf(stop));
        for (String stopField : List.of(TestServer.JSON.valueToTree(stop).toString(), "[\"zzzz-never\", "
                + TestServer.JSON.valueToTree(stop) + "]")) {
            JsonNode cut = s.ok("/v1/completions", greedy("\"The weather\"", 12, "\"stop\": " + stopField));
            assertEquals(expected, text(cut, 0));
            assertEquals("stop", cut.get("choices").get(0).get("finish_reason").asText());
        }
    }

    @Test
    void returnsLegacyLogprobs() {
        JsonNode r = s.ok("/v1/completions", greedy("\"Hello there\"", 6, "\"logprobs\": 3"));
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        assertEquals(List.of("tokens", "token_logprobs", "top_logprobs", "text_offset"), names(lp));
        assertEquals(6, lp.get("tokens").size());
        int offset = 0;
        for (int i = 0; i < 6; i++) {
            double chosen = lp.get("token_logprobs").get(i).asDouble();
            assertThat(chosen).isLessThanOrEqualTo(0);
            JsonNode top = lp.get("top_logprobs").get(i);
            assertThat(top.size()).isBetween(1, 4);
            double best = Double.NEGATIVE_INFINITY;
            for (Iterator<JsonNode> it = top.elements(); it.hasNext(); ) best = Math.max(best, it.next().asDouble());
            assertEquals(best, chosen, 1e-6, "greedy picks the most likely token");
            assertEquals(chosen, top.get(lp.get("tokens").get(i).asText()).asDouble(), 1e-6, "the sampled token is listed");
            assertEquals(offset, lp.get("text_offset").get(i).asInt());
            offset += lp.get("tokens").get(i).asText().codePointCount(0, lp.get("tokens").get(i).asText().length());
        }
    }

    @Test
    void streamsChunksUsageAndDone() {
        String body = greedy("\"Hello there\"", 6, "\"logprobs\": 1");
        JsonNode whole = s.ok("/v1/completions", body);
        List<JsonNode> chunks = s.stream("/v1/completions",
                body.replace("}", ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}"));
        String id = chunks.get(0).get("id").asText();
        assertThat(id).startsWith("cmpl-");
        StringBuilder text = new StringBuilder();
        List<String> tokens = new ArrayList<>();
        JsonNode last = chunks.get(chunks.size() - 1);
        for (JsonNode c : chunks) {
            assertEquals(id, c.get("id").asText());
            assertEquals("text_completion", c.get("object").asText());
            assertThat(c.has("usage")).isTrue();
            if (c == last) break;
            assertThat(c.get("usage").isNull()).isTrue();
            JsonNode choice = c.get("choices").get(0);
            text.append(choice.get("text").asText());
            if (!choice.get("logprobs").isNull()) choice.get("logprobs").get("tokens").forEach(t -> tokens.add(t.asText()));
        }
        JsonNode finish = chunks.get(chunks.size() - 2).get("choices").get(0);
        assertEquals("length", finish.get("finish_reason").asText());
        assertEquals(text(whole, 0), text.toString());
        List<String> wholeTokens = new ArrayList<>();
        whole.get("choices").get(0).get("logprobs").get("tokens").forEach(t -> wholeTokens.add(t.asText()));
        assertEquals(wholeTokens, tokens);
        assertEquals(0, last.get("choices").size());
        assertEquals(whole.get("usage"), last.get("usage"));
    }

    @Test
    void streamsSeveralChoicesWithoutUsageByDefault() {
        List<JsonNode> chunks = s.stream("/v1/completions", greedy("[\"Hi\", \"Yo\"]", 4, "\"n\": 2, \"stream\": true"));
        int[] finishes = new int[4];
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder(), new StringBuilder(), new StringBuilder()};
        for (JsonNode c : chunks) {
            assertThat(c.has("usage")).isFalse();
            JsonNode choice = c.get("choices").get(0);
            int i = choice.get("index").asInt();
            texts[i].append(choice.get("text").asText());
            if (!choice.get("finish_reason").isNull()) finishes[i]++;
        }
        assertThat(finishes).containsExactly(1, 1, 1, 1);
        assertEquals(texts[0].toString(), texts[1].toString());
        assertEquals(texts[2].toString(), texts[3].toString());
    }

    @Test
    void tracesOnRequest() {
        JsonNode r = s.ok("/v1/completions", greedy("\"Hi\"", 3, "\"vane\": {\"trace\": true, \"interventions\": []}"));
        JsonNode v = r.get("vane");
        assertEquals(0, v.get("applied").size());
        assertThat(v.get("timings").get("total_ms").asDouble()).isPositive();
        assertThat(v.get("timings").get("time_to_first_token_ms").asDouble()).isPositive();
        List<JsonNode> chunks = s.stream("/v1/completions", greedy("\"Hi\"", 3, "\"stream\": true, \"vane\": {\"trace\": true}"));
        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals(0, last.get("choices").size());
        assertThat(last.get("vane").get("timings").get("total_ms").asDouble()).isPositive();
    }

    @Test
    void rejectsEachInvalidFieldByName() {
        String[][] cases = {
                {"\"temperature\": -1", "temperature"}, {"\"temperature\": \"hot\"", "temperature"},
                {"\"top_p\": 0", "top_p"}, {"\"top_k\": -5", "top_k"}, {"\"min_p\": 2", "min_p"},
                {"\"repetition_penalty\": 0", "repetition_penalty"}, {"\"presence_penalty\": 3", "presence_penalty"},
                {"\"frequency_penalty\": -3", "frequency_penalty"}, {"\"seed\": \"x\"", "seed"}, {"\"stop\": 5", "stop"},
                {"\"stop\": [\"\"]", "stop"}, {"\"n\": 0", "n"}, {"\"n\": 17", "n"}, {"\"n\": 1.5", "n"},
                {"\"max_tokens\": 0", "max_tokens"}, {"\"max_tokens\": 100000", "max_tokens"}, {"\"logprobs\": 6", "logprobs"},
                {"\"logprobs\": true", "logprobs"}, {"\"echo\": 1", "echo"}, {"\"suffix\": \"x\"", "suffix"},
                {"\"best_of\": 0", "best_of"}, {"\"logit_bias\": {\"x\": 10}", "logit_bias"},
                {"\"logit_bias\": {\"5\": 101}", "logit_bias"}, {"\"logit_bias\": {\"5\": \"up\"}", "logit_bias"},
                {"\"logit_bias\": {\"99999999\": 1}", "logit_bias"}, {"\"logit_bias\": [1]", "logit_bias"},
                {"\"min_tokens\": -1", "min_tokens"}, {"\"min_tokens\": 9, \"max_tokens\": 8", "min_tokens"},
                {"\"include_stop_str_in_output\": 1", "include_stop_str_in_output"}, {"\"skip_special_tokens\": \"no\"", "skip_special_tokens"}, {"\"stream\": \"yes\"", "stream"},
                {"\"stream_options\": {\"include_usage\": true}", "stream_options"},
                {"\"stream\": true, \"stream_options\": {\"usage\": true}", "stream_options.usage"},
                {"\"user\": 5", "user"}, {"\"model\": 7", "model"}, {"\"temprature\": 1", "temprature"},
                {"\"stop_token_ids\": [\"a\"]", "stop_token_ids"}, {"\"ignore_eos\": 1", "ignore_eos"},
                {"\"vane\": 1", "vane"}, {"\"vane\": {\"foo\": 1}", "vane.foo"}, {"\"vane\": {\"profile\": \"x\"}", "vane.profile"},
                {"\"vane\": {\"interventions\": [{\"kind\": \"vector\"}]}", "vane.interventions[0].artifact"},
                {"\"vane\": {\"layer_skip\": {\"alpha\": 0.5}}", "vane.layer_skip.mode"},
                {"\"vane\": {\"layer_skip\": {\"mode\": \"trace\", \"alpha\": 2}}", "vane.layer_skip.alpha"},
                {"\"vane\": {\"layer_skip\": {\"mode\": \"trace\", \"q\": 0}}", "vane.layer_skip.q"},
                {"\"vane\": {\"layer_skip\": {\"mode\": \"warp\"}}", "vane.layer_skip.mode"},
                {"\"vane\": {\"beacon\": {\"ratio\": 8}}", "vane.beacon"},
                {"\"vane\": {\"attention\": {\"algorithm\": \"fast\"}}", "vane.attention.algorithm"},
                {"\"vane\": {\"attention\": {\"log_n\": 1}}", "vane.attention.log_n"},
                {"\"vane\": {\"attention\": {\"log_n\": true}}", "vane.attention.log_n"},
                {"\"vane\": {\"attention\": {\"kernel\": \"lssa\"}}", "vane.attention.kernel"},
                // this server runs the tensor backend: one attention setting for every row
                {"\"vane\": {\"attention\": {\"algorithm\": \"online\"}}", "vane.attention"},
                {"\"vane\": {\"trace\": \"yes\"}", "vane.trace"},
        };
        for (String[] c : cases)
            TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", " + c[0] + "}"), 400, c[1]);
        for (String prompt : List.of("[]", "[-1]", "[128256]", "[[1], \"a\"]", "[\"a\", 1]", "5", "\"\"", "[[]]"))
            TestServer.assertError(s.post("/v1/completions", "{\"prompt\": " + prompt + "}"), 400, "prompt");
        TestServer.assertError(s.post("/v1/completions", "{\"max_tokens\": 3}"), 400, "prompt");
        assertThat(TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"vane\": {\"profile\": \"x\"}}"),
                400, "vane.profile").get("message").asText()).contains("no profile named 'x'");
        assertThat(TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"vane\": {\"beacon\": {\"ratio\": 8}}}"),
                400, "vane.beacon").get("message").asText()).contains("no Activation Beacon parameters");
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"vane\": {\"beacon\": {}}}"), 400, "vane.beacon.ratio");
    }

    @Test
    void rejectsBadRequestsWithTheRightStatus() {
        JsonNode err = TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"model\": \"gpt-4\"}"), 404, "model");
        assertEquals("model_not_found", err.get("code").asText());
        assertEquals("invalid_request_error", err.get("type").asText());
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\","), 400, null);
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\"} {}"), 400, null);
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"prompt\": \"y\"}"), 400, null);
        TestServer.assertError(s.post("/v1/completions", "[1, 2]"), 400, null);
        TestServer.assertError(s.post("/v1/completions", ""), 400, null);
        TestServer.assertError(s.post("/v1/completions", "text/plain", "{\"prompt\": \"x\"}"), 415, null);
        TestServer.assertError(s.post("/v1/completions", "application/x-www-form-urlencoded", "prompt=x"), 415, null);
        String huge = "{\"prompt\": \"" + "a".repeat((1 << 20) + 10) + "\"}";
        TestServer.assertError(s.post("/v1/completions", huge), 413, null);
        String longPrompt = "[" + "9906,".repeat(600) + "9906]";
        JsonNode tooLong = TestServer.assertError(s.post("/v1/completions", "{\"prompt\": " + longPrompt + "}"), 413, "prompt");
        assertEquals("context_length_exceeded", tooLong.get("code").asText());
        JsonNode noOps = s.ok("/v1/completions", "{\"prompt\": [1, 2], \"n\": 16, \"best_of\": 16, \"max_tokens\": 1,"
                + " \"stream\": false, \"suffix\": null, \"echo\": false, \"logit_bias\": {}, \"seed\": null}");
        assertEquals(16, noOps.get("choices").size(), "OpenAI fields at their no-op values are accepted");
    }

    static String text(JsonNode response, int choice) {
        return response.get("choices").get(choice).get("text").asText();
    }

    static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
