package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Completions' {@code best_of}: the {@code n} candidates of the highest summed log-probability, out of {@code best_of}. */
class BestOfApiTest {

    private final TestServer s = TestServer.shared();
    private static final String BODY = "\"prompt\": [\"Once upon a time\", \"The weather\"], \"max_tokens\": 6, \"temperature\": 1.2, \"seed\": 7, \"ignore_eos\": true";

    @Test
    void theBestCandidatesByLogprobAreReturned() {
        // the candidates: best_of = 4 draws the seeds that n = 4 draws
        JsonNode all = s.ok("/v1/completions", "{" + BODY + ", \"n\": 4, \"logprobs\": 0}");
        JsonNode best = s.ok("/v1/completions", "{" + BODY + ", \"n\": 2, \"best_of\": 4}");
        assertEquals(4, best.get("choices").size());
        for (int p = 0; p < 2; p++) {
            List<JsonNode> candidates = new ArrayList<>();
            for (int c = 0; c < 4; c++) candidates.add(all.get("choices").get(p * 4 + c));
            candidates.sort(Comparator.comparingDouble(c -> -sum(c)));
            for (int r = 0; r < 2; r++) {
                JsonNode got = best.get("choices").get(p * 2 + r);
                assertEquals(p * 2 + r, got.get("index").intValue());
                assertEquals(candidates.get(r).get("text").textValue(), got.get("text").textValue(), "prompt " + p + " rank " + r);
                assertThat(got.get("logprobs").isNull()).as("log-probabilities only when asked").isTrue();
            }
        }
        assertEquals(all.get("usage").get("completion_tokens").intValue(), best.get("usage").get("completion_tokens").intValue(),
                "usage counts every candidate");
    }

    private static double sum(JsonNode choice) {
        double s = 0;
        for (JsonNode x : choice.get("logprobs").get("token_logprobs")) s += x.doubleValue();
        return s;
    }

    @Test
    void bestOfIsCheckedByName() {
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"n\": 3, \"best_of\": 2}"), 400, "best_of");
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"best_of\": 3, \"stream\": true}"), 400, "best_of");
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"best_of\": 17}"), 400, "best_of");
        assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"x\", \"best_of\": 1, \"max_tokens\": 1}").statusCode());
        // more candidates than the server admits at once: named as best_of, not n
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": [\"a\", \"b\", \"c\", \"d\", \"e\"], \"best_of\": 16}"), 400, "best_of");
    }
}
