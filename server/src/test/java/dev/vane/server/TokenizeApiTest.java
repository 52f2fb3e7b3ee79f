package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Provenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** vLLM's tokenizer routes ({@code /tokenize}, {@code /detokenize}, {@code /version}) and the chat-template fields they share with chat completions. */
class TokenizeApiTest {

    private static final String TEXT = "Grüße aus Köln! 東京は晴れ。 Привет, мир — ça va? 🙂";
    private static final String CHAT = "\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi there\"}]";
    private static TestServer s;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void start() {
        s = TestServer.shared();
        tokenizer = Tokenizer.load(s.model);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    @Test
    void tokenizesTextAsTheModelsTokenizerDoes() {
        JsonNode r = s.ok("/tokenize", "{\"prompt\": \"" + TEXT + "\", \"return_token_strs\": true}");
        int[] expected = tokenizer.encode(TEXT, true);
        assertThat(ids(r.get("tokens"))).containsExactly(expected);
        assertEquals(expected.length, r.get("count").intValue());
        assertEquals(512, r.get("max_model_len").intValue());
        List<String> strs = new ArrayList<>();
        for (int id : expected) strs.add(tokenizer.tokenString(id));
        List<String> got = new ArrayList<>();
        r.get("token_strs").forEach(t -> got.add(t.textValue()));
        assertThat(got).isEqualTo(strs);

        JsonNode plain = s.ok("/tokenize", "{\"prompt\": \"" + TEXT + "\", \"add_special_tokens\": false}");
        assertThat(ids(plain.get("tokens"))).containsExactly(tokenizer.encode(TEXT, false));
        assertThat(plain.get("token_strs").isNull()).isTrue();
    }

    @Test
    void detokenizeInvertsTokenizeOnMultilingualText() {
        JsonNode t = s.ok("/tokenize", "{\"prompt\": \"" + TEXT + "\", \"add_special_tokens\": false}");
        JsonNode d = s.ok("/detokenize", "{\"tokens\": " + t.get("tokens") + "}");
        assertEquals(TEXT, d.get("prompt").textValue());
        assertEquals("", s.ok("/detokenize", "{\"tokens\": []}").get("prompt").textValue());
    }

    @Test
    void aConversationTokenizesToTheChatRoutesPrompt() {
        JsonNode t = s.ok("/tokenize", "{" + CHAT + "}");
        JsonNode chat = s.ok("/v1/chat/completions", "{" + CHAT + ", \"max_tokens\": 1}");
        assertEquals(chat.get("usage").get("prompt_tokens").intValue(), t.get("count").intValue());
        String text = s.ok("/detokenize", "{\"tokens\": " + t.get("tokens") + "}").get("prompt").textValue();
        assertThat(text).startsWith("<|begin_of_text|><|start_header_id|>system").endsWith("<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void continuingTheFinalMessageEndsThePromptWithItsContent() {
        String messages = "\"messages\": [{\"role\": \"user\", \"content\": \"Count to three.\"}, {\"role\": \"assistant\", \"content\": \"One, two,\"}]";
        JsonNode t = s.ok("/tokenize", "{" + messages + ", \"continue_final_message\": true}");
        String text = s.ok("/detokenize", "{\"tokens\": " + t.get("tokens") + "}").get("prompt").textValue();
        assertThat(text).endsWith("<|start_header_id|>assistant<|end_header_id|>\n\nOne, two,");
        JsonNode chat = s.ok("/v1/chat/completions", "{" + messages + ", \"continue_final_message\": true, \"max_tokens\": 1}");
        assertEquals(t.get("count").intValue(), chat.get("usage").get("prompt_tokens").intValue());
    }

    @Test
    void chatTemplateKwargsReachTheTemplate() {
        // the template's variables include the special tokens; a keyword argument overrides one, as in HF's apply_chat_template
        JsonNode t = s.ok("/tokenize", "{" + CHAT + ", \"chat_template_kwargs\": {\"bos_token\": \"Hello\"}}");
        String text = s.ok("/detokenize", "{\"tokens\": " + t.get("tokens") + "}").get("prompt").textValue();
        assertThat(text).startsWith("Hello<|start_header_id|>system");
        JsonNode chat = s.ok("/v1/chat/completions", "{" + CHAT + ", \"chat_template_kwargs\": {\"bos_token\": \"Hello\"}, \"max_tokens\": 1}");
        assertEquals(t.get("count").intValue(), chat.get("usage").get("prompt_tokens").intValue());
    }

    @Test
    void aToolCallsArgumentsMayBeAnyJson() {
        for (String args : new String[] {"null", "{}", "[1, 2]", "\\\"text\\\""})
            s.ok("/tokenize", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"tool_calls\":"
                    + " [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": \"" + args + "\"}}]}]}");
        TestServer.assertError(s.post("/tokenize", "{\"messages\": [{\"role\": \"assistant\", \"tool_calls\":"
                + " [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": \"{oops\"}}]}]}"),
                400, "messages[0].tool_calls[0].function.arguments");
    }

    @Test
    void versionAndModelLength() {
        assertEquals(Provenance.VERSION, TestServer.read(s.get("/version").body()).get("version").textValue());
        JsonNode model = TestServer.read(s.get("/v1/models").body()).get("data").get(0);
        assertEquals(512, model.get("max_model_len").intValue());
        assertEquals(s.modelId, model.get("root").textValue());
    }

    @Test
    void rejectsEachInvalidFieldByName() {
        String[][] tokenize = {
                {"{}", "prompt"},
                {"{\"prompt\": \"a\", " + CHAT + "}", "prompt"},
                {"{\"prompt\": 3}", "prompt"},
                {"{\"prompt\": \"a\", \"add_generation_prompt\": false}", "add_generation_prompt"},
                {"{\"prompt\": \"a\", \"add_special_tokens\": \"yes\"}", "add_special_tokens"},
                {"{\"prompt\": \"a\", \"nope\": 1}", "nope"},
                {"{" + CHAT + ", \"continue_final_message\": true}", "continue_final_message"},
                {"{" + CHAT + ", \"continue_final_message\": true, \"add_generation_prompt\": true}", "continue_final_message"},
                {"{" + CHAT + ", \"chat_template_kwargs\": {\"messages\": []}}", "chat_template_kwargs.messages"},
                {"{" + CHAT + ", \"chat_template_kwargs\": 3}", "chat_template_kwargs"},
                {"{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", "messages[0].role"},
        };
        for (String[] c : tokenize) TestServer.assertError(s.post("/tokenize", c[0]), 400, c[1]);
        TestServer.assertError(s.post("/tokenize", "{\"prompt\": \"a\", \"model\": \"other\"}"), 404, "model");
        String[][] detokenize = {
                {"{}", "tokens"},
                {"{\"tokens\": 5}", "tokens"},
                {"{\"tokens\": [1, -1]}", "tokens[1]"},
                {"{\"tokens\": [1, 99999999]}", "tokens[1]"},
                {"{\"tokens\": [\"a\"]}", "tokens[0]"},
                {"{\"tokens\": [1], \"prompt\": \"a\"}", "prompt"},
        };
        for (String[] c : detokenize) TestServer.assertError(s.post("/detokenize", c[0]), 400, c[1]);
        TestServer.assertError(s.post("/v1/chat/completions", "{" + CHAT + ", \"continue_final_message\": true}"), 400, "continue_final_message");
    }
}
