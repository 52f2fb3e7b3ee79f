package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenLogprobsTest {
    private static final float EPS = 1e-6f;

    @Test
    void logprobsAreTheLogSoftmaxOfTheRawLogits() {
        // logZ = ln(e^1 + e^2 + e^3) = 3.407605964444
        assertEquals(3.407605964444, TokenLogprobs.logNormalizer(new float[] {1f, 2f, 3f}), 1e-9);
        TokenLogprobs lp = TokenLogprobs.compute(new float[] {1f, 2f, 3f}, 0, 2);
        assertEquals(0, lp.chosen().token());
        assertEquals(-2.407605964444f, lp.chosen().logprob(), EPS);
        assertEquals(2, lp.top().size());
        assertEquals(2, lp.top().get(0).token());
        assertEquals(-0.407605964444f, lp.top().get(0).logprob(), EPS);
        assertEquals(1, lp.top().get(1).token());
        assertEquals(-1.407605964444f, lp.top().get(1).logprob(), EPS);
    }

    @Test
    void largeLogitsAreStable() {
        // same gaps as above, shifted by 999: exp(1001) would overflow without max-subtraction
        TokenLogprobs lp = TokenLogprobs.compute(new float[] {1000f, 1001f, 999f}, 1, 3);
        assertEquals(-0.407605964444f, lp.chosen().logprob(), EPS);
        assertEquals(List.of(1, 0, 2), lp.top().stream().map(TokenLogprob::token).toList());
        assertEquals(-1.407605964444f, lp.top().get(1).logprob(), EPS);
        assertEquals(-2.407605964444f, lp.top().get(2).logprob(), EPS);
    }

    @Test
    void tiesAreOrderedByTokenIdAndTopNIsCapped() {
        TokenLogprobs lp = TokenLogprobs.compute(new float[] {0f, 5f, 0f, 5f, 0f}, 4, 20);
        assertEquals(List.of(1, 3, 0, 2, 4), lp.top().stream().map(TokenLogprob::token).toList());
        assertEquals(lp.top().get(4), lp.chosen());
    }

    @Test
    void zeroAlternativesStillGiveTheChosenLogprob() {
        TokenLogprobs lp = TokenLogprobs.compute(new float[] {0f, 0f}, 1, 0);
        assertEquals(List.of(), lp.top());
        assertEquals((float) Math.log(0.5), lp.chosen().logprob(), EPS);
    }

    @Test
    void maskedTokensHaveMinusInfinity() {
        TokenLogprobs lp = TokenLogprobs.compute(new float[] {Float.NEGATIVE_INFINITY, 0f}, 0, 2);
        assertEquals(Float.NEGATIVE_INFINITY, lp.chosen().logprob());
        assertEquals(new TokenLogprob(1, 0f), lp.top().get(0));
    }

    @Test
    void topNMatchesAFullSortOnALargeVocabulary() {
        SplittableRandom random = new SplittableRandom(5);
        float[] logits = new float[100_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian() * 4;
        }
        TokenLogprobs lp = TokenLogprobs.compute(logits, 17, 20);
        double logZ = TokenLogprobs.logNormalizer(logits);
        List<Integer> expected = java.util.stream.IntStream.range(0, logits.length).boxed()
                .sorted((a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b)
                .limit(20).toList();
        assertEquals(expected, lp.top().stream().map(TokenLogprob::token).toList());
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - logZ);
        }
        assertEquals(1.0, sum, 1e-9);
        assertEquals((float) (logits[17] - logZ), lp.chosen().logprob());
    }

    @Test
    void invalidInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TokenLogprobs.compute(new float[] {0f}, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> TokenLogprobs.compute(new float[] {0f}, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> TokenLogprobs.compute(new float[] {Float.NaN}, 0, 1));
        assertThrows(IllegalStateException.class,
                () -> TokenLogprobs.compute(new float[] {Float.NEGATIVE_INFINITY}, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenLogprob(0, 0.5f));
    }
}
