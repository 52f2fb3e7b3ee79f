package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StopCriteriaTest {
    private static final Set<Integer> EOS = Set.of(2, 128009);

    @Test
    void eosAndStopTokenIdsStop() {
        StopCriteria c = StopCriteria.of(SamplingParams.builder().stopTokenIds(42).maxTokens(10).build(), EOS);
        assertEquals(Optional.of(FinishReason.STOP), c.check(2, 1));
        assertEquals(Optional.of(FinishReason.STOP), c.check(128009, 1));
        assertEquals(Optional.of(FinishReason.STOP), c.check(42, 1));
        assertEquals(Optional.empty(), c.check(7, 1));
    }

    @Test
    void maxTokensGivesLength() {
        StopCriteria c = StopCriteria.of(SamplingParams.builder().maxTokens(3).build(), EOS);
        assertEquals(Optional.empty(), c.check(7, 2));
        assertEquals(Optional.of(FinishReason.LENGTH), c.check(7, 3));
        // a stop token on the last allowed step is a natural stop
        assertEquals(Optional.of(FinishReason.STOP), c.check(2, 3));
    }

    @Test
    void ignoreEosKeepsGoingButHonoursStopTokenIds() {
        StopCriteria c = StopCriteria.of(
                SamplingParams.builder().ignoreEos(true).stopTokenIds(42).maxTokens(5).build(), EOS);
        assertEquals(Optional.empty(), c.check(2, 1));
        assertEquals(Optional.of(FinishReason.STOP), c.check(42, 1));
        assertEquals(Optional.of(FinishReason.LENGTH), c.check(2, 5));
    }

    @Test
    void finishReasonWireNames() {
        assertEquals("stop", FinishReason.STOP.wireName());
        assertEquals("length", FinishReason.LENGTH.wireName());
        assertEquals("cancelled", FinishReason.CANCELLED.wireName());
        assertEquals("timeout", FinishReason.TIMEOUT.wireName());
        assertEquals("error", FinishReason.ERROR.wireName());
    }

    @Test
    void invalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> new StopCriteria(Set.of(), EOS, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new StopCriteria(Set.of(-1), EOS, false, 1));
    }
}
