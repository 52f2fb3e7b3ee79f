package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.TokenLogprobs;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.tokenizer.ChatTemplate;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tools in chat: rendered by the model's template, calls parsed out of answers (whole and streamed). */
class ToolCallsTest {

    private static final String WEATHER = "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather in a city\","
            + " \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"enum\": [\"Paris\", \"Rome\"]}},"
            + " \"required\": [\"city\"]}}}";

    @Test
    void hermesCallsAreParsedAndTheTextAroundThemIsTheContent() {
        ToolCalls.Parsed p = ToolCalls.HERMES.parse("Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"
                + "\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>");
        assertEquals("Let me look.", p.content());
        assertThat(p.calls()).containsExactly(new ToolCalls.Call("get_weather", "{\"city\":\"Paris\"}"), new ToolCalls.Call("get_time", "{}"));
        ToolCalls.Parsed broken = ToolCalls.HERMES.parse("<tool_call>{\"name\": oops</tool_call>");
        assertThat(broken.calls()).isEmpty();
        assertEquals("<tool_call>{\"name\": oops</tool_call>", broken.content());
        ToolCalls.Parsed llama = ToolCalls.LLAMA3_JSON.parse("<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}");
        assertThat(llama.calls()).containsExactly(new ToolCalls.Call("get_weather", "{\"city\":\"Oslo\"}"));
        assertThat(ToolCalls.LLAMA3_JSON.parse("It is sunny.").calls()).isEmpty();
    }

    @Test
    void aStreamHoldsBackWhatMayBecomeACallAndSendsTheCallsWhole() {
        OpenAiRequest request = new OpenAiRequest(List.of(new int[] {1}), List.of(), 1, true, false, -1, VaneOptions.NONE, List.of(), 1,
                Optional.of(ToolCalls.HERMES), Optional.empty());
        ChatFormat f = new ChatFormat(null, request);
        StringBuilder content = new StringBuilder();
        for (String piece : List.of("Sure", ". <tool", "_call>\n{\"name\": \"get_weather\", ", "\"arguments\": {\"city\": \"Rome\"}}\n</tool_call>")) {
            ObjectNode d = f.delta(0, piece, Optional.<TokenLogprobs>empty());
            if (d != null) content.append(d.get("delta").get("content").textValue());
        }
        assertEquals("Sure.", content.toString());
        ObjectNode last = f.finish(0, "stop");
        assertEquals("tool_calls", last.get("finish_reason").textValue());
        JsonNode call = last.get("delta").get("tool_calls").get(0);
        assertEquals(0, call.get("index").intValue());
        assertEquals("function", call.get("type").textValue());
        assertEquals("get_weather", call.get("function").get("name").textValue());
        assertEquals("{\"city\":\"Rome\"}", call.get("function").get("arguments").textValue());
        assertThat(call.get("id").textValue()).startsWith("call_");
        // text around the calls: the stream's content, joined, is the whole answer's
        String answer = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call>\nDone.";
        ChatFormat whole = new ChatFormat(null, request);
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < answer.length(); i += 3) {
            ObjectNode d = whole.delta(0, answer.substring(i, Math.min(answer.length(), i + 3)), Optional.empty());
            if (d != null) streamed.append(d.get("delta").get("content").textValue());
        }
        ObjectNode end0 = whole.finish(0, "stop");
        if (end0.get("delta").has("content")) streamed.append(end0.get("delta").get("content").textValue());
        assertEquals(ToolCalls.HERMES.parse(answer).content(), streamed.toString());
        assertEquals(1, end0.get("delta").get("tool_calls").size());
        // text that only looked like the start of a call is sent at the end
        ChatFormat g = new ChatFormat(null, request);
        assertThat(g.delta(0, "a <tool", Optional.empty()).get("delta").get("content").textValue()).isEqualTo("a");
        ObjectNode end = g.finish(0, "length");
        assertEquals(" <tool", end.get("delta").get("content").textValue());
        assertEquals("length", end.get("finish_reason").textValue());
    }

    @Test
    void qwenTemplatesRenderToolsCallsAndResponses() throws Exception {
        ModelConfig tiny = Preset.TINY_QWEN3.config();
        ModelConfig c = new ModelConfig(tiny.architecture(), 151680, tiny.hiddenSize(), tiny.intermediateSize(), tiny.numLayers(), tiny.numHeads(),
                tiny.numKvHeads(), tiny.headDim(), tiny.rmsNormEps(), tiny.ropeTheta(), tiny.ropeScaling(), tiny.maxPositionEmbeddings(),
                tiny.tieWordEmbeddings(), tiny.attentionBias(), tiny.slidingWindow(), tiny.slidingWindowFromLayer(), tiny.bosTokenId(),
                List.of(151645), tiny.attention(), tiny.beacon());
        Path dir = Files.createTempDirectory("vane-qwen3-tools");
        FixtureWriter.write(c, FileDType.F16, 3, dir);
        for (String file : List.of("tokenizer.json", "tokenizer_config.json"))
            Files.copy(Path.of("../engine/src/test/resources/tokenizers/qwen3", file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        ServerSettings s = ServerSettings.defaults(dir).withPort(0).withEngine(ComputeDType.F32, 2, 2, 512);
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            String messages = "\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"},"
                    + " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\","
                    + " \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
                    + " {\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"content\": \"sunny, 21 C\"}]";
            String rendered = detokenize(t, t.ok("/tokenize", "{" + messages + ", \"tools\": [" + WEATHER + "]}"));
            assertThat(rendered).contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"")
                    .contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>")
                    .contains("<tool_response>\nsunny, 21 C\n</tool_response>").endsWith("<|im_start|>assistant\n");
            // tool_choice none leaves the tools out of the prompt
            JsonNode none = t.ok("/v1/chat/completions", "{" + messages + ", \"tools\": [" + WEATHER + "], \"tool_choice\": \"none\", \"max_tokens\": 1}");
            JsonNode auto = t.ok("/v1/chat/completions", "{" + messages + ", \"tools\": [" + WEATHER + "], \"max_tokens\": 1}");
            assertThat(auto.get("usage").get("prompt_tokens").intValue()).isGreaterThan(none.get("usage").get("prompt_tokens").intValue());
            TestServer.assertError(t.post("/v1/chat/completions", "{" + messages + ", \"tools\": [{\"type\": \"function\", \"function\": {}}]}"),
                    400, "tools[0].function.name");
            TestServer.assertError(t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": []}]}"),
                    400, "messages[0].tool_calls");
        }
        // a template that does not render tools says so
        TestServer.assertError(TestServer.shared().post("/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": [" + WEATHER + "]}"), 400, "tools");
    }

    private static String detokenize(TestServer t, JsonNode tokenized) {
        return t.ok("/detokenize", "{\"tokens\": " + tokenized.get("tokens") + "}").get("prompt").textValue();
    }

    @Test
    void theFormatFollowsTheTemplate() {
        assertEquals(Optional.of(ToolCalls.HERMES), ToolCalls.of(ChatTemplate.compile("{% if tools %}<tool_call>{% endif %}")));
        assertEquals(Optional.of(ToolCalls.LLAMA3_JSON), ToolCalls.of(ChatTemplate.compile("{% if tools %}{{ tools | tojson }}{% endif %}")));
        assertEquals(Optional.empty(), ToolCalls.of(ChatTemplate.compile("{{ messages[0].content }}")));
    }

    @Test
    void aNamedToolChoiceConstrainsTheAnswerToThatFunctionsArguments() {
        TestServer t = TestServer.shared(); // its Llama 3 template does not render tools: a forced choice still constrains the answer
        String body = "\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}], \"tools\": [" + WEATHER + ", "
                + "{\"type\": \"function\", \"function\": {\"name\": \"get_time\"}}], \"max_tokens\": 60, \"temperature\": 1, \"seed\": 3";
        for (int seed = 0; seed < 3; seed++) {
            JsonNode named = t.ok("/v1/chat/completions", "{" + body.replace("\"seed\": 3", "\"seed\": " + seed)
                    + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}}");
            JsonNode choice = named.get("choices").get(0);
            assertEquals("tool_calls", choice.get("finish_reason").textValue(), choice.toString());
            JsonNode call = choice.get("message").get("tool_calls").get(0);
            assertEquals("get_weather", call.get("function").get("name").textValue());
            JsonNode args = TestServer.read(call.get("function").get("arguments").textValue());
            assertThat(args.get("city").textValue()).as(args.toString()).isIn("Paris", "Rome");
            assertThat(choice.get("message").get("content").isNull()).isTrue();
        }
        JsonNode required = t.ok("/v1/chat/completions", "{" + body.replace("\"max_tokens\": 60", "\"max_tokens\": 80") + ", \"tool_choice\": \"required\"}");
        JsonNode msg = required.get("choices").get(0).get("message");
        // a budget that ends the array ("length") still completes it: the calls are whole either way
        assertThat(required.get("choices").get(0).get("finish_reason").textValue()).isIn("tool_calls", "length");
        assertThat(msg.get("tool_calls").size()).as(msg.toString()).isPositive();
        for (JsonNode call : msg.get("tool_calls"))
            assertThat(call.get("function").get("name").textValue()).isIn("get_weather", "get_time");
        TestServer.assertError(t.post("/v1/chat/completions", "{" + body + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"nope\"}}}"),
                400, "tool_choice.function.name");
        TestServer.assertError(t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tool_choice\": \"required\"}"),
                400, "tool_choice");
        TestServer.assertError(t.post("/v1/chat/completions", "{" + body + ", \"tool_choice\": \"required\", \"response_format\": {\"type\": \"json_object\"}}"),
                400, "response_format");
        TestServer.assertError(t.post("/v1/chat/completions", "{" + body + ", \"tool_choice\": \"sometimes\"}"), 400, "tool_choice");
    }

    @Test
    void forcedCallsAreReadAsTheConstraintWroteThem() {
        ToolCalls.Parsed required = ToolCalls.REQUIRED.parse("[{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Oslo\"}},{\"name\":\"get_time\",\"parameters\":{}}]");
        assertThat(required.calls()).containsExactly(new ToolCalls.Call("get_weather", "{\"city\":\"Oslo\"}"), new ToolCalls.Call("get_time", "{}"));
        assertThat(new ToolCallReader.Named("get_time").parse("{}").calls()).containsExactly(new ToolCalls.Call("get_time", "{}"));
        assertThat(ToolCalls.REQUIRED.parse("[{\"name\":\"get_weath").calls()).isEmpty();
    }
}
