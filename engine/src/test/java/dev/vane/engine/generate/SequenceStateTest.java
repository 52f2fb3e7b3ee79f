package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SequenceStateTest {

    @Test
    void promptTokensAreTrackedOnlyForTheRepetitionPenalty() {
        int[] prompt = {4, 5, 6};
        SequenceState with = new SequenceState(SamplingParams.builder().repetitionPenalty(1.2).build(), prompt);
        assertTrue(with.counts().inPrompt(5));
        SequenceState without = new SequenceState(SamplingParams.builder().presencePenalty(1).build(), prompt);
        assertFalse(without.counts().inPrompt(5));
    }

    @Test
    void appendUpdatesCountsAndLength() {
        SequenceState s = new SequenceState(SamplingParams.builder().build(), new int[] {1});
        s.append(3);
        s.append(3);
        s.append(8);
        assertEquals(3, s.generatedTokens());
        assertEquals(2, s.counts().count(3));
        assertEquals(1, s.counts().count(8));
    }

    @Test
    void seedIsTakenFromTheParameters() {
        SequenceState s = new SequenceState(SamplingParams.builder().seed(-5).build(), new int[0]);
        assertEquals(-5, s.seed());
        assertEquals(new java.util.SplittableRandom(-5).nextLong(), s.random().nextLong());
    }
}
