package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The vLLM / OpenAI sampling extras on a real model, greedy: {@code logit_bias},
 * {@code min_tokens}, {@code include_stop_str_in_output} and {@code skip_special_tokens}.
 */
class SamplingExtrasApiTest {

    private static final String PROMPT = "\"prompt\": \"The weather today is\", \"temperature\": 0, \"ignore_eos\": true";
    /** A special token of the Llama 3 vocabulary that ends nothing. */
    private static final int HEADER = 128006;
    private final TestServer s = TestServer.shared();

    private JsonNode generate(String extra) {
        return s.ok("/v1/generate", "{" + PROMPT + ", " + extra + "}");
    }

    private static int[] ids(JsonNode r) {
        int[] out = new int[r.get("token_ids").size()];
        for (int i = 0; i < out.length; i++) out[i] = r.get("token_ids").get(i).intValue();
        return out;
    }

    @Test
    void logitBiasBansAndForcesTokens() {
        int first = ids(generate("\"max_tokens\": 1"))[0];
        assertNotEquals(first, ids(generate("\"max_tokens\": 1, \"logit_bias\": {\"" + first + "\": -100}"))[0]);
        assertThat(ids(generate("\"max_tokens\": 4, \"logit_bias\": {\"1000\": 100}"))).containsOnly(1000);
        // the completions and chat routes take it too
        JsonNode c = s.ok("/v1/completions", "{" + PROMPT + ", \"max_tokens\": 3, \"logit_bias\": {\"1000\": 100}}");
        JsonNode forced = s.ok("/detokenize", "{\"tokens\": [1000, 1000, 1000]}");
        assertEquals(forced.get("prompt").textValue(), c.get("choices").get(0).get("text").textValue());
    }

    @Test
    void minTokensHoldsBackEndTokensUntilEnoughAreGenerated() {
        int first = ids(generate("\"max_tokens\": 1"))[0];
        JsonNode stopped = s.ok("/v1/generate", "{\"prompt\": \"The weather today is\", \"temperature\": 0, \"max_tokens\": 6, \"stop_token_ids\": [" + first + "]}");
        assertThat(ids(stopped)).containsExactly(first);
        assertEquals("stop", stopped.get("finish_reason").textValue());
        JsonNode held = s.ok("/v1/generate", "{\"prompt\": \"The weather today is\", \"temperature\": 0, \"max_tokens\": 6, \"min_tokens\": 3,"
                + " \"stop_token_ids\": [" + first + "]}");
        int[] got = ids(held);
        assertThat(got.length).isGreaterThanOrEqualTo(3);
        for (int i = 0; i < 3; i++) assertNotEquals(first, got[i], "token " + i);
    }

    @Test
    void theStopStringStaysInTheTextWhenAsked() {
        String text = generate("\"max_tokens\": 8").get("text").textValue();
        assertThat(text.length()).isGreaterThan(6);
        String stop = text.substring(3, 6);
        String before = text.substring(0, text.indexOf(stop));
        String stopJson = TestServer.JSON.valueToTree(stop).toString();
        assertEquals(before, generate("\"max_tokens\": 8, \"stop\": [" + stopJson + "]").get("text").textValue());
        JsonNode kept = generate("\"max_tokens\": 8, \"stop\": [" + stopJson + "], \"include_stop_str_in_output\": true");
        assertEquals(before + stop, kept.get("text").textValue());
        assertEquals("stop", kept.get("finish_reason").textValue());
        // before min_tokens tokens are generated, stop strings are not looked for
        JsonNode late = generate("\"max_tokens\": 8, \"stop\": [" + stopJson + "], \"min_tokens\": 8");
        assertEquals(text, late.get("text").textValue());
    }

    @Test
    void specialTokensAreInTheTextOnlyWhenNotSkipped() {
        String forced = "\"max_tokens\": 2, \"logit_bias\": {\"" + HEADER + "\": 100}";
        assertEquals("", generate(forced).get("text").textValue());
        assertEquals("<|start_header_id|><|start_header_id|>",
                generate(forced + ", \"skip_special_tokens\": false").get("text").textValue());
    }
}
