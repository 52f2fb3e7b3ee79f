package dev.vane.lab.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {
    private static final int BASE = 7 + 256;

    private static List<String> mergeStrings(BpeModel m) {
        return m.merges().stream().map(x -> m.token(x.left()) + " " + m.token(x.right())).toList();
    }

    @Test
    void learnsTheMostFrequentPairsInOrder() {
        // words: "ab" x1, " ab" x2, " cd" x1 -> (a,b)=3, then (Ġ,ab)=2, then a tie of (Ġ,c) and (c,d) at 1,
        // broken towards the smaller left id ('Ġ' is byte 32, 'c' byte 99)
        BpeModel m = BpeTrainer.train(List.of("ab ab ab cd"), new BpeTrainerConfig(BASE + 3, 1, SpecialTokens.defaults()));
        assertEquals(List.of("a b", "Ġ ab", "Ġ c"), mergeStrings(m));
        assertEquals(List.of("ab", "Ġab", "Ġc"), m.vocab().subList(BASE, BASE + 3));
        assertEquals(new BpeModel.Merge(7 + 'a', 7 + 'b', BASE), m.merges().get(0));
        assertEquals(new BpeModel.Merge(7 + ' ', BASE, BASE + 1), m.merges().get(1));
        assertEquals(BASE + 3, m.vocabSize());
    }

    @Test
    void vocabularyStartsWithSpecialsThenBytes() {
        BpeModel m = BpeTrainer.train(List.of("hello hello"), BpeTrainerConfig.of(BASE + 10));
        assertEquals(SpecialTokens.defaults().all(), m.vocab().subList(0, 7));
        for (int b = 0; b < 256; b++) {
            assertEquals(String.valueOf(ByteLevelAlphabet.charOf(b)), m.token(7 + b));
        }
    }

    @Test
    void matchesANaiveTrainerOnRandomCorpora() {
        for (int seed = 0; seed < 60; seed++) {
            Random r = new Random(seed);
            String alphabet = seed % 3 == 0 ? "ab" : seed % 3 == 1 ? "abc " : "abcdé \n'";
            List<String> texts = new ArrayList<>();
            for (int t = 1 + r.nextInt(4); t > 0; t--) {
                StringBuilder sb = new StringBuilder();
                for (int i = r.nextInt(300); i > 0; i--) {
                    sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                texts.add(sb.toString());
            }
            if (texts.stream().allMatch(String::isEmpty)) {
                continue;
            }
            BpeTrainerConfig config = new BpeTrainerConfig(BASE + 1 + r.nextInt(80), 1 + r.nextInt(2), SpecialTokens.defaults());
            BpeModel fast = BpeTrainer.train(texts, config);
            assertEquals(NaiveBpe.train(texts, config), fast.merges(), "seed " + seed);
        }
    }

    @Test
    void matchesANaiveTrainerOnEnglish() {
        List<String> texts = List.of(TrainTestSupport.english());
        BpeTrainerConfig config = new BpeTrainerConfig(BASE + 150, 2, SpecialTokens.defaults());
        assertEquals(NaiveBpe.train(texts, config), BpeTrainer.train(texts, config).merges());
    }

    @Test
    void isDeterministicAndIndependentOfTextOrder() {
        List<String> texts = new ArrayList<>(TrainTestSupport.paragraphs());
        BpeTrainerConfig config = BpeTrainerConfig.of(BASE + 300);
        BpeModel a = BpeTrainer.train(texts, config);
        BpeModel b = BpeTrainer.train(texts, config);
        Collections.shuffle(texts, new Random(3));
        BpeModel c = BpeTrainer.train(texts, config);
        assertEquals(a.tokenizerJson(), b.tokenizerJson());
        assertEquals(a.tokenizerJson(), c.tokenizerJson());
        assertEquals(a.tokenizerConfigJson(), c.tokenizerConfigJson());
    }

    @Test
    void reachesTheRequestedSizeWithDistinctTokens() {
        BpeModel m = BpeTrainer.train(List.of(TrainTestSupport.english()), new BpeTrainerConfig(BASE + 400, 1,
                SpecialTokens.defaults()));
        assertEquals(BASE + 400, m.vocabSize());
        assertEquals(m.vocabSize(), new HashSet<>(m.vocab()).size());
        for (BpeModel.Merge x : m.merges()) {
            assertEquals(m.token(x.left()) + m.token(x.right()), m.token(x.result()));
            assertTrue(x.result() > x.left() && x.result() > x.right());
        }
    }

    @Test
    void minimumFrequencyStopsEarly() {
        String text = TrainTestSupport.english();
        BpeModel all = BpeTrainer.train(List.of(text), new BpeTrainerConfig(BASE + 5000, 1, SpecialTokens.defaults()));
        BpeModel frequent = BpeTrainer.train(List.of(text), new BpeTrainerConfig(BASE + 5000, 5, SpecialTokens.defaults()));
        BpeModel none = BpeTrainer.train(List.of(text), new BpeTrainerConfig(BASE + 5000, 1_000_000, SpecialTokens.defaults()));
        assertTrue(all.vocabSize() < BASE + 5000, "a 3 KB text cannot fill 5000 tokens");
        assertTrue(frequent.vocabSize() < all.vocabSize());
        assertEquals(frequent.merges(), all.merges().subList(0, frequent.merges().size()));
        assertEquals(BASE, none.vocabSize());
        assertTrue(none.merges().isEmpty());
    }

    @Test
    void specialTokensInTheTextAreNotLearnt() {
        BpeModel m = BpeTrainer.train(List.of("<|end|><|end|><|end|>x<|end|>x<|end|>"), BpeTrainerConfig.of(BASE + 20));
        assertEquals(BASE, m.vocabSize());
        assertEquals(2, m.stats().words()); // the two "x" between the special tokens
    }

    @Test
    void mergesNeverSpellASpecialToken() {
        SpecialTokens specials = SpecialTokens.of(List.of("<|bos|>", "<|eos|>", "<|pad|>", "<|system|>", "<|user|>",
                "<|assistant|>", "<|end|>", "Ġthe"));
        BpeModel m = BpeTrainer.train(List.of(" the the the the then"), new BpeTrainerConfig(BASE + 1 + 10, 1, specials));
        assertEquals(1, Collections.frequency(m.vocab(), "Ġthe"));
        assertEquals(7, m.vocab().indexOf("Ġthe"));
        assertFalse(mergeStrings(m).contains("Ġt he"));
        assertEquals(List.of("Ġt", "he", "hen", "Ġthen"), m.vocab().subList(BASE + 1, m.vocabSize()));
    }

    @Test
    void rejectsBadConfigs() {
        var small = assertThrows(IllegalArgumentException.class, () -> BpeTrainerConfig.of(262));
        assertEquals("Vocabulary size 262 is below the 263 tokens it must hold: 7 special tokens plus 256 byte tokens",
                small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainerConfig(1000, 0, SpecialTokens.defaults()));
        var few = assertThrows(IllegalArgumentException.class, () -> SpecialTokens.of(List.of("<s>", "</s>")));
        assertTrue(few.getMessage().startsWith("Need at least 7 special tokens"), few.getMessage());
        var dup = assertThrows(IllegalArgumentException.class,
                () -> SpecialTokens.of(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a1")));
        assertEquals("Duplicate special token: a1", dup.getMessage());
        var single = assertThrows(IllegalArgumentException.class,
                () -> SpecialTokens.of(List.of("a1", "a2", "a3", "a4", "a5", "a6", "x")));
        assertTrue(single.getMessage().contains("clashes with the byte token"), single.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SpecialTokens.of(List.of("a1", "a2", "a3", "a4", "a5", "a6", "")));
    }

    @Test
    void rejectsAnEmptyCorpus() {
        BpeTrainerConfig config = BpeTrainerConfig.of(1000);
        var none = assertThrows(TokenizerTrainingException.class, () -> BpeTrainer.train(List.of(), config));
        assertEquals("Empty corpus: 0 text(s) with nothing to train on besides special tokens", none.getMessage());
        assertThrows(TokenizerTrainingException.class, () -> BpeTrainer.train(List.of("", ""), config));
        assertThrows(TokenizerTrainingException.class, () -> BpeTrainer.train(List.of("<|eos|><|bos|>"), config));
    }

    @Test
    void countsStatistics() {
        BpeModel m = BpeTrainer.train(List.of("hé hé", "x"), BpeTrainerConfig.of(BASE + 2));
        TrainingStats s = m.stats();
        assertEquals(2, s.texts());
        assertEquals(7 + 1, s.bytes());
        assertEquals(3, s.words());
        assertEquals(3, s.distinctWords());
        assertEquals(m.merges().size(), s.merges());
        assertNotEquals(0, m.merges().size());
    }
}
