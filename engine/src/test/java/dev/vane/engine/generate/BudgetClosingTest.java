package dev.vane.engine.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.constrain.ConstrainedVocabulary;
import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.constrain.MatchState;
import dev.vane.engine.constrain.TokenConstraint;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A constrained sequence near the end of its token budget keeps its document completable: whatever
 * the logits, a budget that fits the shortest completion ends with a complete document.
 */
class BudgetClosingTest {
    /** Every single byte, some longer tokens (a string's run, an escape's start, closers), then the end token. */
    static final List<String> LONGER = List.of("aaaa", "\\u00", "\\", "\"}", "\",", "{\"title\":\"", "]]", "[[", " the", "{\"", "1234", "\"}]", "\\\"");
    static final int END = 256 + LONGER.size();
    static final ConstrainedVocabulary VOCABULARY = vocabulary();

    static ConstrainedVocabulary vocabulary() {
        byte[][] bytes = new byte[END + 1][];
        for (int b = 0; b < 256; b++) bytes[b] = new byte[] {(byte) b};
        for (int i = 0; i < LONGER.size(); i++) bytes[256 + i] = LONGER.get(i).getBytes(StandardCharsets.UTF_8);
        return new ConstrainedVocabulary(bytes);
    }

    static Grammar schema(String json) throws Exception {
        return Grammar.jsonSchema(new ObjectMapper().readTree(json), true);
    }

    static final String TITLE = "{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\"}},\"required\":[\"title\"],\"additionalProperties\":false}";

    static MatchState after(Grammar g, String text) {
        return g.initial().next(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theClosingLengthIsTheShortestCompletion() throws Exception {
        Grammar g = schema(TITLE);
        assertEquals(11, VOCABULARY.closingBytes(g.initial().next('{'))); // "title":""}
        assertEquals(2, VOCABULARY.closingBytes(after(g, "{\"title\":\"ab")));  // "}
        assertEquals(3, VOCABULARY.closingBytes(after(g, "{\"title\":\"ab\\"))); // an escaped character, then "}
        assertEquals(6, VOCABULARY.closingBytes(after(g, "{\"title\":\"ab\\u"))); // four hex digits, then "}
        assertEquals(0, VOCABULARY.closingBytes(after(g, "{\"title\":\"ab\"}")));
        Grammar list = schema("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":3}");
        assertEquals(5, VOCABULARY.closingBytes(after(list, "[1"))); // ,0,0]
    }

    /** Samples a document token by token at temperature 1 from random logits within {@code budget} tokens. */
    static SequenceState sample(Grammar g, int budget, long seed) {
        SamplingParams p = SamplingParams.builder().temperature(1).seed(seed).maxTokens(budget).build();
        SequenceState s = new SequenceState(p, new int[] {0}, new int[] {END}, new TokenConstraint(g, VOCABULARY, new int[] {END}));
        Sampler sampler = new Sampler();
        SplittableRandom random = new SplittableRandom(seed);
        float[] logits = new float[END + 1];
        for (int i = 0; i < budget && !s.constraintFinished(); i++) {
            for (int t = 0; t < logits.length; t++) logits[t] = (float) (random.nextGaussian() * 3);
            logits['"'] -= 6; // a model that rarely closes its strings, and likes to go on
            logits[END] -= 6;
            int token = sampler.sample(logits, s);
            if (token == END) break;
            s.append(token);
        }
        return s;
    }

    @Test
    void everyBudgetThatFitsTheShortestDocumentEndsWithACompleteOne() throws Exception {
        List<String> schemas = List.of(TITLE,
                "{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":2},\"n\":{\"type\":\"integer\"}},\"required\":[\"tags\",\"n\"],\"additionalProperties\":false}",
                "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}]}",
                "{\"type\":\"array\",\"items\":{\"type\":\"number\",\"minimum\":100},\"minItems\":1}");
        int shaped = 0;
        for (String json : schemas) {
            Grammar g = schema(json);
            int shortest = VOCABULARY.closingBytes(g.initial());
            for (int budget = shortest; budget <= shortest + 40; budget += 3) {
                for (long seed = 1; seed <= 12; seed++) {
                    SequenceState s = sample(g, budget, seed);
                    assertTrue(s.constraint().state().accepting(), json + " budget " + budget + " seed " + seed + ": " + s.constraint().state());
                    assertTrue(s.generatedTokens() <= budget);
                    if (s.constraint().budgetShaped()) shaped++;
                }
            }
        }
        assertTrue(shaped > 100, "the budget shaped " + shaped + " documents"); // the sampled text alone rarely ends in time
    }

    @Test
    void onlyTheTokensThatLeaveTooLittleRoomAreMaskedAndOnlyNearTheEnd() throws Exception {
        Grammar g = schema(TITLE);
        TokenConstraint c = new TokenConstraint(g, VOCABULARY, new int[] {END});
        for (byte b : "{\"title\":\"ab".getBytes(StandardCharsets.UTF_8)) c.accept(b & 0xFF);
        float[] free = new float[END + 1];
        c.mask(free);
        float[] far = new float[END + 1];
        c.mask(far, 2 + 65); // beyond the margin: the plain mask
        assertTrue(java.util.Arrays.equals(free, far));
        assertFalse(c.budgetShaped());
        int escape = 256 + LONGER.indexOf("\\u00"), close = 256 + LONGER.indexOf("\"}");
        float[] near = new float[END + 1];
        c.mask(near, 4); // 3 tokens left after this one: after the escape-start token the document needs 4 bytes more (2 hex digits, "})
        assertEquals(Float.NEGATIVE_INFINITY, near[escape]);
        assertEquals(0f, near[close]);
        assertEquals(0f, near['\\']); // a plain escape then "} fits
        assertTrue(c.budgetShaped());
        float[] last = new float[END + 1];
        c.mask(last, 1); // one token left: only what completes the document now
        for (int t = 0; t < END; t++) assertEquals(t == close, last[t] == 0f, "token " + t);
    }
}
