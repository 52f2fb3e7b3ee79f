package dev.vane.lab.steering;

import dev.vane.lab.steering.GenreClassifier.Example;
import dev.vane.lab.steering.GenreClassifier.Options;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GenreClassifierTest {

    private static final String[] SEA = {"ship", "wave", "sail", "harbor", "captain", "storm"};
    private static final String[] LAW = {"court", "judge", "jury", "verdict", "statute", "appeal"};
    private static final String[] COMMON = {"the", "a", "of", "and", "was", "in"};

    /** Texts of {@code words} words: each word from the genre's list with probability 0.4, else a common word. */
    private static List<Example> synthetic(int n, int words, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean sea = i % 2 == 0;
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                String[] from = r.nextDouble() < 0.4 ? (sea ? SEA : LAW) : COMMON;
                sb.append(w == 0 ? "" : " ").append(from[r.nextInt(from.length)]);
            }
            out.add(new Example(sea ? "sea" : "law", sb.toString()));
        }
        return out;
    }

    @Test
    void separatesTwoSyntheticGenresAndReportsPerGenreCounts() {
        GenreClassifier c = GenreClassifier.train(synthetic(40, 30, 1), Options.defaults());
        GenreClassifier.Evaluation e = c.evaluate(synthetic(20, 30, 2));
        assertThat(e.examples()).isEqualTo(20);
        assertThat(e.accuracy()).isEqualTo(1.0);
        assertThat(e.perGenre().get("sea")).containsExactly(10, 10);
        assertThat(e.perGenre().get("law")).containsExactly(10, 10);
        assertThat(e.table()).contains("| sea | 10 | 10 | 100% |").contains("| **all** | 20 | 20 | 100.0% |");
    }

    @Test
    void probabilitiesFollowTheNaiveBayesFormula() {
        // unigrams only: vocabulary {x, y, z}; a: x x y (3 tokens), b: z (1 token)
        GenreClassifier c = GenreClassifier.train(List.of(new Example("a", "x x y"), new Example("b", "z")),
                new Options(false, 1.0, true, 1));
        // P(x|a) = (2+1)/(3+3) = 1/2, P(x|b) = (0+1)/(1+3) = 1/4; uniform prior
        GenreClassifier.Prediction p = c.classify("X!");
        assertThat(p.genre()).isEqualTo("a");
        assertThat(p.features()).isEqualTo(1);
        assertThat(p.probabilities().get("a")).isCloseTo((0.5) / (0.5 + 0.25), within(1e-12));
        // empirical prior changes nothing here (one chunk each); unknown words are ignored
        assertThat(c.classify("unknown words").features()).isZero();
        assertThat(c.genreOf("unknown words")).isEmpty();
        assertThat(c.genreOf("z z")).contains("b");
    }

    @Test
    void bigramsAreFeaturesWhenAsked() {
        assertThat(GenreClassifier.features("The Jury's  verdict.", true))
                .containsExactly("the", "jury's", "verdict", "the jury's", "jury's verdict");
        assertThat(GenreClassifier.features("The Jury's  verdict.", false)).containsExactly("the", "jury's", "verdict");
    }

    @Test
    void theEmpiricalPriorFavoursTheFrequentGenreOnUninformativeText() {
        List<Example> train = List.of(new Example("a", "p"), new Example("a", "q"), new Example("a", "r"), new Example("b", "s"));
        // "p s": a and b each know one word; the empirical prior (3:1) breaks it towards a
        GenreClassifier empirical = GenreClassifier.train(train, new Options(false, 1.0, false, 1));
        GenreClassifier uniform = GenreClassifier.train(train, new Options(false, 1.0, true, 1));
        // likelihoods: P(p|a) = 2/7, P(s|a) = 1/7; P(p|b) = 1/5, P(s|b) = 2/5 → b wins without the prior
        assertThat(uniform.classify("p s").genre()).isEqualTo("b");
        assertThat(empirical.classify("p s").genre()).isEqualTo("a");
    }

    @Test
    void trainsOnTheValidSplitAndTestsOnTheTestSplitOfBrownDocuments() {
        String sea = String.join(" ", java.util.Collections.nCopies(30, "ship wave sail"));
        String law = String.join(" ", java.util.Collections.nCopies(30, "court judge jury"));
        List<BrownDocument> docs = List.of(
                new BrownDocument("s1", "sea", sea, "valid"), new BrownDocument("l1", "law", law, "valid"),
                new BrownDocument("s2", "sea", sea, "test"), new BrownDocument("l2", "law", law, "test"),
                new BrownDocument("x", "sea", law, "train")); // training text is never used
        GenreClassifier.Trained t = GenreClassifier.fromBrown(docs, Options.defaults());
        assertThat(t.heldOut().examples()).isEqualTo(4); // per test doc, 90 words: a 50-word chunk and a 40-word tail
        assertThat(t.heldOut().accuracy()).isEqualTo(1.0);
        assertThat(t.classifier().genres()).containsExactly("law", "sea");
    }

    @Test
    void featuresOfASingleSourceCanBeDroppedAndBalancedAccuracyAveragesGenres() {
        // "ship" appears only in document d1 of genre sea; with minSources 2 it is no feature
        List<Example> train = List.of(new Example("sea", "ship wave", "d1"), new Example("sea", "wave", "d2"),
                new Example("law", "court ship", "d3"), new Example("law", "court", "d4"));
        assertThat(GenreClassifier.train(train, new Options(false, 1, true, 1)).classify("ship").features()).isEqualTo(1);
        GenreClassifier strict = GenreClassifier.train(train, new Options(false, 1, true, 2));
        assertThat(strict.classify("ship").features()).isEqualTo(1); // d1 and d3 both have it
        assertThat(strict.classify("wave court").features()).isEqualTo(2);
        assertThatThrownBy(() -> GenreClassifier.train(train, new Options(false, 1, true, 3)))
                .hasMessageContaining("no words seen in at least 3 documents");
        GenreClassifier.Evaluation e = GenreClassifier.train(train, new Options(false, 1, true, 1))
                .evaluate(List.of(new Example("sea", "wave"), new Example("sea", "wave"), new Example("sea", "court"), new Example("law", "court")));
        assertThat(e.accuracy()).isEqualTo(0.75);
        assertThat(e.balancedAccuracy()).isEqualTo((2.0 / 3 + 1) / 2);
    }

    @Test
    void needsTwoGenresAndPositiveSmoothing() {
        assertThatThrownBy(() -> GenreClassifier.train(List.of(new Example("a", "x")), Options.defaults()))
                .hasMessageContaining("at least two genres");
        assertThatThrownBy(() -> new Options(true, 0, true, 1)).hasMessageContaining("alpha");
    }
}
