package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.model.ComputeDType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Completions' {@code suffix}: fill-in-the-middle on a model with infill tokens, a 400 naming it on one without. */
class InfillApiTest {

    @Test
    void theSuffixRunsFillInTheMiddleWithTheModelsInfillTokens() throws Exception {
        Path dir = TestServer.modelDir("vane-fim", false);
        // the Llama 3 vocabulary's first reserved special tokens, renamed as Qwen's infill tokens
        Path tokenizer = dir.resolve("tokenizer.json");
        Files.writeString(tokenizer, Files.readString(tokenizer).replace("<|reserved_special_token_0|>", "<|fim_prefix|>")
                .replace("<|reserved_special_token_1|>", "<|fim_suffix|>").replace("<|reserved_special_token_2|>", "<|fim_middle|>"));
        ServerSettings s = ServerSettings.defaults(dir).withPort(0).withEngine(ComputeDType.F32, 2, 2, 256);
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            int[] prefix = ids(t, "def add(a, b):\n    "), suffix = ids(t, "\n    return c\n");
            JsonNode infilled = t.ok("/v1/completions", "{\"prompt\": \"def add(a, b):\\n    \", \"suffix\": \"\\n    return c\\n\","
                    + " \"max_tokens\": 8, \"temperature\": 0}");
            // the same tokens spelled out: <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|>
            int[] spelled = new int[prefix.length + suffix.length + 3];
            spelled[0] = 128002;
            System.arraycopy(prefix, 0, spelled, 1, prefix.length);
            spelled[prefix.length + 1] = 128003;
            System.arraycopy(suffix, 0, spelled, prefix.length + 2, suffix.length);
            spelled[spelled.length - 1] = 128004;
            JsonNode direct = t.ok("/v1/completions", "{\"prompt\": " + Arrays.toString(spelled) + ", \"max_tokens\": 8, \"temperature\": 0}");
            assertEquals(direct.get("choices").get(0).get("text").textValue(), infilled.get("choices").get(0).get("text").textValue());
            assertEquals(spelled.length, infilled.get("usage").get("prompt_tokens").intValue());
        }
    }

    private static int[] ids(TestServer t, String text) {
        JsonNode r = t.ok("/tokenize", "{\"prompt\": " + TestServer.JSON.valueToTree(text) + ", \"add_special_tokens\": false}");
        int[] out = new int[r.get("count").intValue()];
        for (int i = 0; i < out.length; i++) out[i] = r.get("tokens").get(i).intValue();
        return out;
    }

    @Test
    void aModelWithoutInfillTokensSaysSo() {
        JsonNode err = TestServer.assertError(TestServer.shared().post("/v1/completions", "{\"prompt\": \"x\", \"suffix\": \"y\"}"), 400, "suffix");
        assertThat(err.get("message").textValue()).contains("fill-in-the-middle").contains("<|fim_prefix|>");
        assertEquals(200, TestServer.shared().post("/v1/completions", "{\"prompt\": \"x\", \"suffix\": \"\", \"max_tokens\": 1}").statusCode());
        assertThat(TestServer.assertError(TestServer.shared().post("/v1/completions", "{\"prompt\": \"x\", \"suffix\": \"y\", \"echo\": true}"),
                400, "suffix").get("message").textValue()).contains("echo");
    }
}
