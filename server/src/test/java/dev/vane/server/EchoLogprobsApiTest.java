package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.generate.TokenLogprobs;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.model.Backend;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.WeightCache;
import dev.vane.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Completions' {@code echo}: the prompt opens the text and, with {@code logprobs}, the prompt's
 * tokens open the log-probabilities — lm-evaluation-harness's {@code local-completions}
 * log-likelihood request, checked against the engine's own forward pass over the prompt.
 */
class EchoLogprobsApiTest {

    private final TestServer s = TestServer.shared();

    @Test
    void lmEvaluationHarnessLoglikelihoodGetsThePromptsLogprobs() {
        int[] ids;
        try (Tokenizer tok = Tokenizer.load(s.model)) {
            ids = tok.encode("The capital of France is Paris", true);
        }
        // the request lm-evaluation-harness's local-completions model sends for a log-likelihood
        JsonNode r = s.ok("/v1/completions", "{\"model\": \"" + s.modelId + "\", \"prompt\": " + Arrays.toString(ids)
                + ", \"temperature\": 0, \"max_tokens\": 1, \"logprobs\": 1, \"seed\": 1234, \"echo\": true}");
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        assertEquals(ids.length + 1, lp.get("token_logprobs").size(), "the prompt's tokens and the one generated");
        assertTrue(lp.get("token_logprobs").get(0).isNull());
        assertTrue(lp.get("top_logprobs").get(0).isNull());

        // the reference: one forward pass over the prompt on the engine, every position's logits
        float[] all;
        int v;
        try (CausalLM model = ModelLoader.load(s.model, new LoadOptions(Optional.of(ComputeDType.F32), 512, Backend.Request.AUTO, 2,
                WeightCache.OFF)); KvCache kv = model.newCache(1, 512)) {
            kv.acquire(0);
            v = model.config().vocabSize();
            all = model.forwardLogits(StepInput.prompt(ids, 0), kv, StepHooks.NONE, LogitsMode.ALL);
        }
        for (int i = 1; i < ids.length; i++) {
            TokenLogprobs expected = TokenLogprobs.compute(Arrays.copyOfRange(all, (i - 1) * v, i * v), ids[i], 1);
            assertEquals(expected.chosen().logprob(), lp.get("token_logprobs").get(i).floatValue(), 1e-3, "prompt token " + i);
            // is_greedy, as the harness reads it: the one top alternative is the prompt's token when it is the argmax
            String top = lp.get("top_logprobs").get(i).fieldNames().next();
            assertThat(lp.get("top_logprobs").get(i).size()).isBetween(1, 2);
            if (expected.top().get(0).token() == ids[i]) assertEquals(lp.get("tokens").get(i).textValue(), top);
        }
        // text offsets run on from the prompt's tokens into the generated one
        assertThat(lp.get("text_offset").get(ids.length).intValue()).isGreaterThan(lp.get("text_offset").get(ids.length - 1).intValue());
    }

    @Test
    void echoOpensTheTextWithThePromptInJsonAndInStreams() {
        String prompt = "Once upon a time";
        JsonNode plain = s.ok("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 4, \"temperature\": 0}");
        String generated = plain.get("choices").get(0).get("text").textValue();
        JsonNode echoed = s.ok("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 4, \"temperature\": 0, \"echo\": true}");
        assertEquals(prompt + generated, echoed.get("choices").get(0).get("text").textValue());
        StringBuilder streamed = new StringBuilder();
        for (JsonNode e : s.stream("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 4, \"temperature\": 0, \"echo\": true, \"stream\": true}"))
            e.get("choices").forEach(c -> streamed.append(c.get("text").textValue()));
        assertEquals(prompt + generated, streamed.toString());
        // two prompts, two choices each: each choice opens with its own prompt
        JsonNode many = s.ok("/v1/completions", "{\"prompt\": [\"A\", \"B\"], \"n\": 2, \"max_tokens\": 2, \"echo\": true}");
        for (JsonNode c : many.get("choices"))
            assertThat(c.get("text").textValue()).startsWith(c.get("index").intValue() < 2 ? "A" : "B");
    }

    @Test
    void echoWithLogprobsIsRefusedWhereItCannotBeHonoured() {
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"Hi\", \"echo\": true, \"logprobs\": 1, \"stream\": true}"), 400, "echo");
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"Hi\", \"echo\": \"yes\"}"), 400, "echo");
    }
}
