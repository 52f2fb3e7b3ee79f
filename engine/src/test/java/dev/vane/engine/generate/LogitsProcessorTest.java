package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LogitsProcessorTest {

    private static TokenCounts counts(int[] prompt, int... generated) {
        TokenCounts c = new TokenCounts(prompt);
        for (int t : generated) {
            c.append(t);
        }
        return c;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        // token 0 in the prompt, token 1 generated twice, token 3 generated once, tokens 2 and 4 unseen
        float[] logits = {2f, -2f, 0.5f, 3f, 1f};
        LogitsProcessor.applyRepetitionPenalty(logits, counts(new int[] {0, 0}, 1, 1, 3), 2.0);
        // 2/2 = 1; -2*2 = -4 (once, not per occurrence); 3/2 = 1.5
        assertArrayEquals(new float[] {1f, -4f, 0.5f, 1.5f, 1f}, logits);
    }

    @Test
    void repetitionPenaltyBelowOneRewardsSeenTokens() {
        float[] logits = {2f, -2f, 0f, 7f};
        LogitsProcessor.applyRepetitionPenalty(logits, counts(new int[] {2}, 0, 1), 0.5);
        // 2/0.5 = 4; -2*0.5 = -1; 0 stays 0; unseen 7 untouched
        assertArrayEquals(new float[] {4f, -1f, 0f, 7f}, logits);
    }

    @Test
    void repetitionPenaltyKeepsMaskedTokensMaskedAndIsANoOpAtOne() {
        float[] logits = {Float.NEGATIVE_INFINITY, 3f};
        LogitsProcessor.applyRepetitionPenalty(logits, counts(new int[] {0, 1}), 1.0);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 3f}, logits);
        LogitsProcessor.applyRepetitionPenalty(logits, counts(new int[] {0, 1}), 1.5);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 2f}, logits);
    }

    @Test
    void repetitionPenaltySaturatesInsteadOfOverflowing() {
        float[] logits = {3e38f};
        LogitsProcessor.applyRepetitionPenalty(logits, counts(new int[] {0}), 0.001);
        assertEquals(Float.MAX_VALUE, logits[0]);
    }

    @Test
    void presenceAndFrequencyPenaltiesUseGeneratedCountsOnly() {
        // prompt has token 0 (never generated); generated: 1 twice, 3 once
        float[] logits = {1f, 1f, 1f, 1f};
        LogitsProcessor.applyPresenceFrequencyPenalties(logits, counts(new int[] {0}, 1, 3, 1), 0.5, 0.25);
        // token 1: 1 - (0.25*2 + 0.5) = 0;  token 3: 1 - (0.25*1 + 0.5) = 0.25
        assertArrayEquals(new float[] {1f, 0f, 1f, 0.25f}, logits);
    }

    @Test
    void frequencyPenaltyScalesWithCountAndPresenceDoesNot() {
        TokenCounts c = counts(new int[0], 2, 2, 2, 2, 0);
        float[] freq = {0f, 0f, 0f};
        LogitsProcessor.applyPresenceFrequencyPenalties(freq, c, 0.0, 0.5);
        assertArrayEquals(new float[] {-0.5f, 0f, -2f}, freq);
        float[] pres = {0f, 0f, 0f};
        LogitsProcessor.applyPresenceFrequencyPenalties(pres, c, 0.5, 0.0);
        assertArrayEquals(new float[] {-0.5f, 0f, -0.5f}, pres);
    }

    @Test
    void negativePresenceAndFrequencyPenaltiesEncourageRepetition() {
        float[] logits = {-1f, 2f};
        LogitsProcessor.applyPresenceFrequencyPenalties(logits, counts(new int[0], 0, 0, 0), -1.0, -2.0);
        // -1 - (-2*3 + -1) = 6
        assertArrayEquals(new float[] {6f, 2f}, logits);
    }

    @Test
    void applyPenaltiesRunsRepetitionThenPresenceFrequency() {
        SamplingParams p = SamplingParams.builder().repetitionPenalty(2).presencePenalty(1).frequencyPenalty(0.5)
                .build();
        float[] logits = {4f, -4f, 4f};
        // prompt {2}; generated 0 twice, 1 once
        LogitsProcessor.applyPenalties(logits, counts(new int[] {2}, 0, 1, 0), p);
        // token 0: 4/2 = 2, then 2 - (0.5*2 + 1) = 0
        // token 1: -4*2 = -8, then -8 - (0.5*1 + 1) = -9.5
        // token 2: prompt only: 4/2 = 2
        assertArrayEquals(new float[] {0f, -9.5f, 2f}, logits);
    }

    @Test
    void temperatureDividesEveryLogit() {
        float[] logits = {1f, 2f, -4f, Float.NEGATIVE_INFINITY};
        LogitsProcessor.applyTemperature(logits, 0.5);
        assertArrayEquals(new float[] {2f, 4f, -8f, Float.NEGATIVE_INFINITY}, logits);
        LogitsProcessor.applyTemperature(logits, 4);
        assertArrayEquals(new float[] {0.5f, 1f, -2f, Float.NEGATIVE_INFINITY}, logits);
    }

    @Test
    void invalidArgumentsAreRejected() {
        float[] logits = {1f};
        TokenCounts c = counts(new int[] {0});
        assertThrows(IllegalArgumentException.class, () -> LogitsProcessor.applyTemperature(logits, 0));
        assertThrows(IllegalArgumentException.class, () -> LogitsProcessor.applyRepetitionPenalty(logits, c, 0));
        assertThrows(IllegalArgumentException.class,
                () -> LogitsProcessor.applyPresenceFrequencyPenalties(logits, c, Double.NaN, 0));
        TokenCounts outside = counts(new int[] {5});
        assertThrows(IllegalArgumentException.class,
                () -> LogitsProcessor.applyRepetitionPenalty(logits, outside, 2));
    }
}
