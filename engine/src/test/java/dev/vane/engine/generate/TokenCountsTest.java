package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenCountsTest {

    @Test
    void countsAreUpdatedPerAppendedToken() {
        TokenCounts c = new TokenCounts(new int[] {5, 5, 9});
        assertTrue(c.inPrompt(5));
        assertTrue(c.inPrompt(9));
        assertEquals(0, c.count(5));
        assertEquals(0, c.generatedLength());
        assertEquals(2, c.distinctSeen());

        c.append(5);
        c.append(7);
        c.append(7);
        assertEquals(1, c.count(5));
        assertEquals(2, c.count(7));
        assertEquals(0, c.count(9));
        assertEquals(0, c.count(1234));
        assertFalse(c.inPrompt(7));
        assertTrue(c.seen(7));
        assertFalse(c.seen(8));
        assertEquals(3, c.generatedLength());
        assertEquals(2, c.distinctGenerated());
        assertEquals(3, c.distinctSeen());
    }

    @Test
    void matchesARecountAcrossManyAppendsAndRehashes() {
        SplittableRandom random = new SplittableRandom(7);
        int[] prompt = random.ints(3000, 0, 150_000).toArray();
        TokenCounts c = new TokenCounts(prompt);
        Map<Integer, Integer> expected = new HashMap<>();
        Set<Integer> promptSet = new HashSet<>();
        for (int t : prompt) {
            promptSet.add(t);
        }
        for (int i = 0; i < 20_000; i++) {
            int t = random.nextInt(10) == 0 ? random.nextInt(150_000) : random.nextInt(500);
            c.append(t);
            expected.merge(t, 1, Integer::sum);
        }
        for (int t = 0; t < 150_000; t++) {
            assertEquals(expected.getOrDefault(t, 0), c.count(t), "count of " + t);
            assertEquals(promptSet.contains(t), c.inPrompt(t), "prompt membership of " + t);
        }
        Set<Integer> seen = new HashSet<>(promptSet);
        seen.addAll(expected.keySet());
        assertEquals(seen.size(), c.distinctSeen());
        assertEquals(expected.size(), c.distinctGenerated());
        assertEquals(20_000, c.generatedLength());
    }

    @Test
    void negativeTokenIdsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TokenCounts(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new TokenCounts().append(-3));
        assertEquals(0, new TokenCounts().count(-3));
    }
}
