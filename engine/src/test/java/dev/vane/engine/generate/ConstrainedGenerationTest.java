package dev.vane.engine.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.constrain.MatchState;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Constrained rows on a tiny random model with the Llama 3 tokenizer: their text is exactly a JSON
 * value of the schema, they end once it is complete, and rows without a constraint in the same
 * batch are unchanged bit for bit.
 */
class ConstrainedGenerationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":8},"
            + "\"n\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":99},\"ok\":{\"type\":\"boolean\"},\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"x\",\"y\"]},\"maxItems\":2}},"
            + "\"required\":[\"name\",\"n\",\"ok\",\"tags\"],\"additionalProperties\":false}";

    private static CausalLM model;
    private static Tokenizer tokenizer;
    private static Generator generator;
    private static int[] prompt;
    private static Grammar grammar;

    @BeforeAll
    static void setUp() throws Exception {
        Path dir = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 99);
        model = ModelLoader.loadTensor(dir, ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(dir);
        generator = new Generator(model, tokenizer, 4, 256);
        prompt = tokenizer.encode("Give me a JSON object:", true);
        grammar = Grammar.jsonSchema(JSON.readTree(SCHEMA), true);
    }

    @AfterAll
    static void tearDown() {
        generator.close();
        tokenizer.close();
        model.close();
    }

    private static Sequence sequence(SamplingParams p, Grammar g) {
        return generator.newSequence(prompt, p, TokenListener.NONE, RowHooks.NONE, OptionalInt.empty(), Optional.ofNullable(g));
    }

    private static void assertSchemaText(GenerationResult r) throws Exception {
        assertEquals(FinishReason.STOP, r.finishReason(), r.text());
        MatchState s = grammar.initial().next(r.text().getBytes(StandardCharsets.UTF_8));
        assertNotNull(s, r.text());
        assertTrue(s.terminal(), r.text());
        var node = JSON.readTree(r.text());
        assertEquals(List.of("name", "n", "ok", "tags"), toList(node.fieldNames()));
    }

    private static List<String> toList(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void sampledAndGreedyRowsWriteTheSchemasJsonAndStop() throws Exception {
        for (int seed = 0; seed < 5; seed++) {
            SamplingParams p = SamplingParams.builder().temperature(1.0).seed(seed).maxTokens(200).build();
            Sequence s = sequence(p, grammar);
            generator.run(List.of(s));
            assertSchemaText(s.result());
        }
        // greedy, and with no end token at all (ignore_eos): the row ends when the JSON does
        for (SamplingParams p : List.of(SamplingParams.greedy(200), SamplingParams.builder().temperature(1).seed(9).maxTokens(200).ignoreEos(true).build())) {
            Sequence s = sequence(p, grammar);
            generator.run(List.of(s));
            assertSchemaText(s.result());
        }
    }

    @Test
    void aRowThatRunsOutOfTokensEndsWithLength() {
        Sequence s = sequence(SamplingParams.builder().temperature(1.0).seed(3).maxTokens(3).build(), grammar);
        generator.run(List.of(s));
        assertEquals(FinishReason.LENGTH, s.result().finishReason());
        assertNotNull(grammar.initial().next(s.result().text().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void unconstrainedRowsOfTheBatchAreUnchangedBitForBit() {
        SamplingParams a = SamplingParams.builder().temperature(1.0).seed(11).maxTokens(30).ignoreEos(true).logprobs(3).build();
        SamplingParams c = SamplingParams.builder().temperature(0.7).topK(40).seed(12).maxTokens(30).ignoreEos(true).logprobs(3).build();
        SamplingParams b = SamplingParams.builder().temperature(1.0).seed(13).maxTokens(30).build();
        Sequence a1 = sequence(a, null), b1 = sequence(b, grammar), c1 = sequence(c, null);
        generator.run(List.of(a1, b1, c1));
        Sequence a2 = sequence(a, null), b2 = sequence(b, null), c2 = sequence(c, null);
        generator.run(List.of(a2, b2, c2));
        assertArrayEquals(a2.result().tokens(), a1.result().tokens());
        assertArrayEquals(c2.result().tokens(), c1.result().tokens());
        assertEquals(a2.result().logprobs(), a1.result().logprobs());
        assertEquals(c2.result().logprobs(), c1.result().logprobs());
        assertNotNull(grammar.initial().next(b1.result().text().getBytes(StandardCharsets.UTF_8)));
    }
}
