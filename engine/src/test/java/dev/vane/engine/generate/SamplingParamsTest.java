package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingParamsTest {

    @Test
    void defaultsFollowOpenAiAndVllm() {
        SamplingParams p = SamplingParams.builder().build();
        assertEquals(1.0, p.temperature());
        assertEquals(0, p.topK());
        assertEquals(1.0, p.topP());
        assertEquals(0.0, p.minP());
        assertEquals(1.0, p.repetitionPenalty());
        assertEquals(0.0, p.presencePenalty());
        assertEquals(0.0, p.frequencyPenalty());
        assertEquals(OptionalLong.empty(), p.seed());
        assertEquals(16, p.maxTokens());
        assertEquals(List.of(), p.stop());
        assertEquals(Set.of(), p.stopTokenIds());
        assertFalse(p.ignoreEos());
        assertEquals(0, p.logprobs());
        assertFalse(p.isGreedy());
        assertFalse(p.hasPenalties());
    }

    @Test
    void builderSetsEveryField() {
        SamplingParams p = SamplingParams.builder()
                .temperature(0.7).topK(40).topP(0.9).minP(0.05).repetitionPenalty(1.1)
                .presencePenalty(0.5).frequencyPenalty(-0.5).seed(42).maxTokens(128)
                .stop("\n\n", "END").stopTokenIds(7, 9).ignoreEos(true).logprobs(5)
                .logitBias(java.util.Map.of(3, -100f, 4, 2.5f)).minTokens(8).includeStopStrInOutput(true).skipSpecialTokens(false)
                .promptLogprobs(2).build();
        assertEquals(new SamplingParams(0.7, 40, 0.9, 0.05, 1.1, 0.5, -0.5, OptionalLong.of(42), 128,
                List.of("\n\n", "END"), Set.of(7, 9), true, 5, java.util.Map.of(3, -100f, 4, 2.5f), 8, true, false, 2), p);
        assertEquals(p, p.toBuilder().build());
        assertTrue(p.hasPenalties());
    }

    @Test
    void greedyHasZeroTemperatureAndDefaultsOtherwise() {
        SamplingParams g = SamplingParams.greedy(64);
        assertTrue(g.isGreedy());
        assertEquals(0.0, g.temperature());
        assertEquals(64, g.maxTokens());
        assertEquals(SamplingParams.builder().temperature(0).maxTokens(64).build(), g);
    }

    @Test
    void topKMinusOneMeansDisabledAndIsNormalisedToZero() {
        assertEquals(0, SamplingParams.builder().topK(-1).build().topK());
        assertEquals(SamplingParams.builder().topK(0).build(), SamplingParams.builder().topK(-1).build());
    }

    @Test
    void nullCollectionsAndSeedMeanNone() {
        SamplingParams p = new SamplingParams(1, 0, 1, 0, 1, 0, 0, null, 16, null, null, false, 0, null, 0, false, true, -1);
        assertEquals(java.util.Map.of(), p.logitBias());
        assertEquals(OptionalLong.empty(), p.seed());
        assertEquals(List.of(), p.stop());
        assertEquals(Set.of(), p.stopTokenIds());
    }

    @Test
    void stopListIsDefensivelyCopied() {
        List<String> stops = new ArrayList<>(List.of("a"));
        SamplingParams p = SamplingParams.builder().stop(stops).build();
        stops.add("b");
        assertEquals(List.of("a"), p.stop());
    }

    @Test
    void boundaryValuesAreAccepted() {
        SamplingParams.builder().temperature(0).topP(1).minP(0).presencePenalty(-2).frequencyPenalty(2)
                .logprobs(0).maxTokens(1).build();
        SamplingParams.builder().temperature(2).topP(1e-9).minP(1).presencePenalty(2).frequencyPenalty(-2)
                .logprobs(20).topK(1).repetitionPenalty(1e-3).build();
        SamplingParams.builder().stop(Collections.nCopies(16, "x")).build();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("temperature", b -> b.temperature(-0.1)),
                bad("temperature", b -> b.temperature(Double.NaN)),
                bad("temperature", b -> b.temperature(Double.POSITIVE_INFINITY)),
                bad("top_k", b -> b.topK(-2)),
                bad("top_p", b -> b.topP(0)),
                bad("top_p", b -> b.topP(1.01)),
                bad("top_p", b -> b.topP(-0.5)),
                bad("top_p", b -> b.topP(Double.NaN)),
                bad("min_p", b -> b.minP(-0.01)),
                bad("min_p", b -> b.minP(1.5)),
                bad("min_p", b -> b.minP(Double.NaN)),
                bad("repetition_penalty", b -> b.repetitionPenalty(0)),
                bad("repetition_penalty", b -> b.repetitionPenalty(-1)),
                bad("repetition_penalty", b -> b.repetitionPenalty(Double.NaN)),
                bad("repetition_penalty", b -> b.repetitionPenalty(Double.POSITIVE_INFINITY)),
                bad("presence_penalty", b -> b.presencePenalty(2.5)),
                bad("presence_penalty", b -> b.presencePenalty(-2.01)),
                bad("presence_penalty", b -> b.presencePenalty(Double.NaN)),
                bad("frequency_penalty", b -> b.frequencyPenalty(-3)),
                bad("frequency_penalty", b -> b.frequencyPenalty(2.01)),
                bad("frequency_penalty", b -> b.frequencyPenalty(Double.NaN)),
                bad("max_tokens", b -> b.maxTokens(0)),
                bad("max_tokens", b -> b.maxTokens(-5)),
                bad("logprobs", b -> b.logprobs(-1)),
                bad("logprobs", b -> b.logprobs(21)),
                bad("stop", b -> b.stop(Collections.nCopies(17, "x"))),
                bad("stop", b -> b.stop("ok", "")),
                bad("stop", b -> b.stop(Arrays.asList("ok", null))),
                bad("stop_token_ids", b -> b.stopTokenIds(3, -1)),
                bad("logit_bias", b -> b.logitBias(java.util.Map.of(3, 100.5f))),
                bad("logit_bias", b -> b.logitBias(java.util.Map.of(3, Float.NaN))),
                bad("logit_bias", b -> b.logitBias(java.util.Map.of(-1, 1f))),
                bad("min_tokens", b -> b.minTokens(-1)),
                bad("prompt_logprobs", b -> b.promptLogprobs(-2)),
                bad("prompt_logprobs", b -> b.promptLogprobs(21)),
                bad("min_tokens", b -> b.maxTokens(4).minTokens(5)));
    }

    private static Arguments bad(String field, Consumer<SamplingParams.Builder> change) {
        return Arguments.of(field, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidValuesNameTheField(String field, Consumer<SamplingParams.Builder> change) {
        SamplingParams.Builder b = SamplingParams.builder();
        change.accept(b);
        InvalidSamplingParamsException e = assertThrows(InvalidSamplingParamsException.class, b::build);
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void messagesCarryTheRangeAndTheValue() {
        var e = assertThrows(InvalidSamplingParamsException.class,
                () -> SamplingParams.builder().topP(1.5).build());
        assertEquals("top_p must be in (0, 1], got 1.5", e.getMessage());
        e = assertThrows(InvalidSamplingParamsException.class,
                () -> SamplingParams.builder().temperature(-1).build());
        assertEquals("temperature must be a finite number >= 0 (0 = greedy), got -1.0", e.getMessage());
        e = assertThrows(InvalidSamplingParamsException.class,
                () -> SamplingParams.builder().logprobs(30).build());
        assertEquals("logprobs must be in [0, 20], got 30", e.getMessage());
    }

    @Test
    void checkContextAcceptsAnExactFit() {
        SamplingParams.builder().maxTokens(100).build().checkContext(924, 1024);
    }

    @Test
    void checkContextRejectsTooManyMaxTokens() {
        SamplingParams p = SamplingParams.builder().maxTokens(101).build();
        var e = assertThrows(InvalidSamplingParamsException.class, () -> p.checkContext(924, 1024));
        assertEquals("max_tokens", e.field());
        assertEquals("max_tokens is 101 but the prompt has 924 tokens and the model's context length is 1024"
                + " tokens, so max_tokens can be at most 100", e.getMessage());
    }

    @Test
    void checkContextRejectsAPromptThatFillsTheContext() {
        SamplingParams p = SamplingParams.builder().maxTokens(1).build();
        var e = assertThrows(InvalidSamplingParamsException.class, () -> p.checkContext(1024, 1024));
        assertEquals("prompt", e.field());
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
        assertEquals("prompt",
                assertThrows(InvalidSamplingParamsException.class, () -> p.checkContext(5000, 1024)).field());
    }

    @Test
    void checkContextDoesNotOverflow() {
        SamplingParams p = SamplingParams.builder().maxTokens(Integer.MAX_VALUE).build();
        assertEquals("max_tokens",
                assertThrows(InvalidSamplingParamsException.class, () -> p.checkContext(10, 1024)).field());
    }

    @Test
    void checkContextRejectsNonsenseArguments() {
        SamplingParams p = SamplingParams.builder().build();
        assertThrows(IllegalArgumentException.class, () -> p.checkContext(-1, 1024));
        assertThrows(IllegalArgumentException.class, () -> p.checkContext(1, 0));
    }
}
