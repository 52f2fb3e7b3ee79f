package dev.vane.lab.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MergeLearnerTest {
    private static List<byte[]> tokens(String... s) {
        List<byte[]> t = new ArrayList<>();
        for (String x : s) {
            t.add(x.getBytes(StandardCharsets.ISO_8859_1));
        }
        return t;
    }

    /**
     * Initial tokens a=0, b=1, c=2, ab=3. First (ab, c) becomes abc=4 (count 3). Then (a, b) and (b, c) tie
     * at 2 and (a, b) wins on the left id; its bytes are those of token 3, so it reuses id 3 rather than
     * adding a token. That makes (ab, c) appear again in the second word, where it is applied with the
     * existing rule: no third merge rule, and the vocabulary stops at 5 tokens.
     */
    @Test
    void reusesIdsOfEqualTokensAndReappliesAReappearingPair() {
        int[][] words = {{3, 2}, {0, 1, 2}};
        List<byte[]> tokens = tokens("a", "b", "c", "ab");
        MergeLearner learner = new MergeLearner(words, new long[] {3, 2}, tokens, Set.of());
        learner.learn(100, 1);
        assertEquals(List.of(new BpeModel.Merge(3, 2, 4), new BpeModel.Merge(0, 1, 3)), learner.merges());
        assertEquals(5, tokens.size());
        assertArrayEquals(new int[] {4}, java.util.Arrays.copyOf(words[0], 1));
        assertArrayEquals(new int[] {4}, java.util.Arrays.copyOf(words[1], 1));
    }

    @Test
    void overlappingPairsMergeLeftToRight() {
        int[][] words = {{0, 0, 0, 0, 0}};
        List<byte[]> tokens = tokens("a");
        MergeLearner learner = new MergeLearner(words, new long[] {1}, tokens, Set.of());
        learner.learn(3, 1);
        // aaaaa: (a,a) is counted 4 times (overlapping) and merged left to right -> aa aa a; then (aa,aa) and
        // (aa,a) tie at 1 and the smaller right id wins -> aa aaa
        assertEquals(List.of(new BpeModel.Merge(0, 0, 1), new BpeModel.Merge(1, 0, 2)), learner.merges());
        assertArrayEquals(new int[] {1, 2}, java.util.Arrays.copyOf(words[0], 2));
    }

    @Test
    void skipsMergesThatSpellAReservedString() {
        int[][] words = {{0, 1}, {0, 1, 2}};
        List<byte[]> tokens = tokens("a", "b", "c");
        MergeLearner learner = new MergeLearner(words, new long[] {5, 1}, tokens, Set.of("ab"));
        learner.learn(10, 1);
        assertEquals(List.of(new BpeModel.Merge(1, 2, 3), new BpeModel.Merge(0, 3, 4)), learner.merges());
    }
}
