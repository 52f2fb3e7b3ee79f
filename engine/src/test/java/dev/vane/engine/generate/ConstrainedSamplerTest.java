package dev.vane.engine.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.constrain.ConstrainedVocabulary;
import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.constrain.TokenConstraint;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler masks a constrained sequence's forbidden tokens last, whatever the other adjustments. */
class ConstrainedSamplerTest {
    static final String[] TOKENS = {"{", "}", "{\"a\":", "1", "12", "x", "\"a\"", ":", null};
    static final int END = 8;

    static SequenceState state(SamplingParams p) throws Exception {
        byte[][] bytes = new byte[TOKENS.length][];
        for (int i = 0; i < TOKENS.length; i++) bytes[i] = TOKENS[i] == null ? null : TOKENS[i].getBytes(StandardCharsets.UTF_8);
        Grammar g = Grammar.jsonSchema(new ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}"), false);
        return new SequenceState(p, new int[] {0}, new int[] {END}, new TokenConstraint(g, new ConstrainedVocabulary(bytes), new int[] {END}));
    }

    @Test
    void greedyAndSampledTokensAreOnlyAllowedOnes() throws Exception {
        float[] logits = {0, 0, 1, 0, 0, 9, 0, 0, 8}; // "x" and the end token lead
        SequenceState s = state(SamplingParams.greedy(10));
        Sampler sampler = new Sampler();
        assertEquals(2, sampler.sample(logits, s)); // "{\"a\":"
        s.append(2);
        double[] p = new Sampler().probabilities(logits, state(SamplingParams.builder().temperature(1).seed(1).maxTokens(10).build()));
        for (int t = 0; t < p.length; t++) assertEquals(t == 0 || t == 2, p[t] > 0, "token " + t);
        assertEquals(3, sampler.sample(new float[] {0, 5, 0, 1, 0, 9, 0, 0, 8}, s)); // "1" beats "12"; "}" not yet
        s.append(3);
        assertEquals(1, sampler.sample(new float[] {0, 5, 0, 1, 0, 9, 0, 0, 8}, s));
        s.append(1);
        assertTrue(s.constraintFinished());
    }

    @Test
    void biasAndPenaltiesCannotUnmaskAToken() throws Exception {
        SamplingParams p = SamplingParams.builder().temperature(0).maxTokens(10).logitBias(Map.of(5, 100f)).presencePenalty(-2).build();
        assertEquals(0, new Sampler().sample(new float[] {0, 0, -1, 0, 0, 0, 0, 0, 0}, state(p)));
    }

    @Test
    void minTokensDoesNotHoldACompleteDocumentOpen() throws Exception {
        SequenceState s = state(SamplingParams.builder().temperature(0).maxTokens(10).minTokens(10).build());
        s.append(2);
        s.append(4);
        s.append(1); // {"a":12}
        assertTrue(s.constraintFinished());
        // a root number would go on; here the object is done and only the end token is allowed
        assertEquals(END, new Sampler().sample(new float[] {9, 9, 9, 9, 9, 9, 9, 9, 0}, s));
    }
}
