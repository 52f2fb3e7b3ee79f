package dev.vane.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final double EPS = 1e-6;
    private static final int[] NO_PROMPT = new int[0];

    private final Sampler sampler = new Sampler();

    private static SequenceState state(SamplingParams.Builder b) {
        return new SequenceState(b.build(), NO_PROMPT);
    }

    private double[] probs(float[] logits, SamplingParams.Builder b) {
        return sampler.probabilities(logits, state(b));
    }

    // ---- greedy ----

    /** The scalar definition: the first index of the largest value. */
    private static int scalarArgmax(float[] a) {
        int best = 0;
        for (int t = 1; t < a.length; t++) if (a[t] > a[best]) best = t;
        return best;
    }

    @Test
    void argmaxOnLongRowsIsTheFirstLargestAcrossVectorsAndTail() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        for (int n : new int[] {1, 7, 15, 16, 17, 33, 100, 1000, 128_256}) {
            for (int trial = 0; trial < 20; trial++) {
                float[] a = new float[n];
                for (int t = 0; t < n; t++) a[t] = (float) rng.nextGaussian();
                if (trial % 3 == 1) { // ties: the maximum copied to later places, some in the scalar tail
                    int m = scalarArgmax(a);
                    for (int k = 0; k < 3; k++) a[m + rng.nextInt(n - m)] = a[m];
                }
                if (trial % 3 == 2) a[n - 1] = 100f; // the maximum in the tail
                assertEquals(scalarArgmax(a), Sampler.argmax(a), "n " + n + " trial " + trial);
            }
        }
        float[] zeros = new float[40];
        java.util.Arrays.fill(zeros, Float.NEGATIVE_INFINITY);
        zeros[20] = -0f;
        zeros[35] = 0f;
        assertEquals(20, Sampler.argmax(zeros)); // -0.0 and 0.0 tie: the first wins
        float[] nan = new float[64];
        nan[40] = Float.NaN;
        nan[50] = Float.POSITIVE_INFINITY;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sampler.argmax(nan));
        assertTrue(e.getMessage().contains("token 40 is NaN"), e.getMessage());
        nan[40] = 0f;
        e = assertThrows(IllegalArgumentException.class, () -> Sampler.argmax(nan));
        assertTrue(e.getMessage().contains("token 50 is +Infinity"), e.getMessage());
    }

    @Test
    void greedyTakesTheArgmaxAndBreaksTiesTowardsTheLowestId() {
        assertEquals(1, Sampler.argmax(new float[] {1f, 5f, 2f, 5f}));
        assertEquals(0, Sampler.argmax(new float[] {3f, 3f, 3f}));
        assertEquals(2, Sampler.argmax(new float[] {Float.NEGATIVE_INFINITY, -7f, -1f}));
        SequenceState s = new SequenceState(SamplingParams.greedy(10), NO_PROMPT);
        assertEquals(1, sampler.sample(new float[] {1f, 5f, 2f, 5f}, s));
        assertArrayEquals(new double[] {0, 1, 0, 0}, sampler.probabilities(new float[] {1f, 5f, 2f, 5f}, s));
    }

    @Test
    void greedyAppliesPenaltiesFirst() {
        SamplingParams p = SamplingParams.builder().temperature(0).repetitionPenalty(2).build();
        SequenceState s = new SequenceState(p, new int[] {1});
        // token 1: 5 / 2 = 2.5 < 3
        assertEquals(2, sampler.sample(new float[] {1f, 5f, 3f}, s));
        SamplingParams freq = SamplingParams.builder().temperature(0).frequencyPenalty(2).build();
        SequenceState f = new SequenceState(freq, NO_PROMPT);
        float[] logits = {0f, 3f, 2f};
        assertEquals(1, sampler.sample(logits, f));
        f.append(1); // 3 - 2 = 1 < 2
        assertEquals(2, sampler.sample(logits, f));
        assertArrayEquals(new float[] {0f, 3f, 2f}, logits, "sample must not modify the logits");
    }

    @Test
    void greedyDrawsNoRandomNumbers() {
        SamplingParams p = SamplingParams.builder().temperature(0).seed(1).build();
        SequenceState a = new SequenceState(p, NO_PROMPT);
        for (int i = 0; i < 5; i++) {
            sampler.sample(new float[] {0f, 1f}, a);
        }
        assertEquals(new SplittableRandom(1).nextDouble(), a.random().nextDouble());
    }

    // ---- temperature ----

    @Test
    void temperatureScalesLogitsBeforeSoftmax() {
        // softmax([1, 2, 3] / 2) = softmax([0.5, 1, 1.5])
        double[] p = probs(new float[] {1f, 2f, 3f}, SamplingParams.builder().temperature(2));
        assertArrayEquals(new double[] {0.186323723226, 0.307195885718, 0.506480391056}, p, EPS);
        // temperature 1: plain softmax
        p = probs(new float[] {2f, 1f, 0f, -1f}, SamplingParams.builder());
        assertArrayEquals(new double[] {0.643914259888, 0.236882818090, 0.087144318742, 0.032058603280}, p, EPS);
    }

    @Test
    void maskedTokensGetNoProbability() {
        double[] p = probs(new float[] {3f, Float.NEGATIVE_INFINITY, 2f}, SamplingParams.builder());
        assertArrayEquals(new double[] {0.731058578630, 0, 0.268941421370}, p, EPS);
    }

    @Test
    void hugeLogitsDoNotOverflow() {
        double[] p = probs(new float[] {1e30f, 1e30f, -1e30f}, SamplingParams.builder().temperature(1e-3));
        assertArrayEquals(new double[] {0.5, 0.5, 0}, p, EPS);
    }

    // ---- top-k ----

    @Test
    void topKKeepsTheKLargestAndRenormalises() {
        // keep tokens 1 (3) and 2 (2): softmax([3, 2])
        double[] p = probs(new float[] {1f, 3f, 2f, 0f}, SamplingParams.builder().topK(2));
        assertArrayEquals(new double[] {0, 0.731058578630, 0.268941421370, 0}, p, EPS);
        // k = 1 is greedy in effect; k >= vocab changes nothing
        assertArrayEquals(new double[] {0, 1, 0, 0}, probs(new float[] {1f, 3f, 2f, 0f},
                SamplingParams.builder().topK(1)), EPS);
        assertArrayEquals(probs(new float[] {1f, 3f, 2f, 0f}, SamplingParams.builder()),
                probs(new float[] {1f, 3f, 2f, 0f}, SamplingParams.builder().topK(4)), EPS);
    }

    @Test
    void topKBreaksTiesTowardsTheLowestId() {
        double[] p = probs(new float[] {1f, 1f, 1f, 1f}, SamplingParams.builder().topK(2));
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0}, p, EPS);
    }

    @Test
    void topKOnALargeVocabularyMatchesAFullSort() {
        SplittableRandom random = new SplittableRandom(3);
        float[] logits = new float[50_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        logits[123] = 100f; // ties at the top ...
        logits[456] = 100f;
        logits[7] = Float.NEGATIVE_INFINITY; // ... and a masked token
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
        // 40 uses the heap, 5000 quickselect
        for (int k : new int[] {1, 2, 40, 5000}) {
            double[] p = probs(logits, SamplingParams.builder().topK(k).temperature(8));
            double z = 0;
            for (int i = 0; i < k; i++) {
                z += Math.exp((logits[order[i]] - logits[order[0]]) / 8.0);
            }
            for (int i = 0; i < logits.length; i++) {
                double expected = i < k ? Math.exp((logits[order[i]] - logits[order[0]]) / 8.0) / z : 0;
                assertEquals(expected, p[order[i]], EPS, "k " + k + " rank " + i);
            }
        }
        assertEquals(1.0, probs(logits, SamplingParams.builder().topK(1))[123]);
    }

    @Test
    void topKLargerThanTheUnmaskedTokensKeepsOnlyUnmaskedOnes() {
        float ninf = Float.NEGATIVE_INFINITY;
        double[] p = probs(new float[] {ninf, 1f, ninf, 1f, ninf}, SamplingParams.builder().topK(4));
        assertArrayEquals(new double[] {0, 0.5, 0, 0.5, 0}, p, 0);
    }

    // ---- top-p ----

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        float[] logits = {2f, 1f, 0f, -1f};
        // probabilities 0.6439, 0.2369, 0.0871, 0.0321; cumulative 0.6439, 0.8808, 0.9679, 1
        assertArrayEquals(new double[] {1, 0, 0, 0}, probs(logits, SamplingParams.builder().topP(0.64)), EPS);
        assertArrayEquals(new double[] {0.731058578630, 0.268941421370, 0, 0},
                probs(logits, SamplingParams.builder().topP(0.65)), EPS);
        assertArrayEquals(new double[] {0.731058578630, 0.268941421370, 0, 0},
                probs(logits, SamplingParams.builder().topP(0.88)), EPS);
        assertArrayEquals(new double[] {0.665240955775, 0.244728471055, 0.090030573170, 0},
                probs(logits, SamplingParams.builder().topP(0.881)), EPS);
        assertArrayEquals(probs(logits, SamplingParams.builder()),
                probs(logits, SamplingParams.builder().topP(1.0)), EPS);
    }

    @Test
    void topPExactlyAtTheBoundaryStopsThere() {
        // four equal tokens of probability exactly 1/4: cumulative 0.25, 0.5, ...
        float[] logits = {0f, 0f, 0f, 0f};
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0}, probs(logits, SamplingParams.builder().topP(0.5)), 0);
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3, 0},
                probs(logits, SamplingParams.builder().topP(0.5000001)), EPS);
        assertArrayEquals(new double[] {1, 0, 0, 0}, probs(logits, SamplingParams.builder().topP(0.25)), 0);
        assertArrayEquals(new double[] {1, 0, 0, 0}, probs(logits, SamplingParams.builder().topP(1e-9)), 0);
    }

    @Test
    void topPIsAppliedToTheTopKRenormalisedDistribution() {
        float[] logits = {2f, 1f, 0f, -1f};
        // without top-k the cumulative is 0.6439, 0.8808, ...: top_p 0.90 keeps three tokens
        assertArrayEquals(new double[] {0.665240955775, 0.244728471055, 0.090030573170, 0},
                probs(logits, SamplingParams.builder().topP(0.90)), EPS);
        // after top-k 3 the probabilities are 0.6652, 0.2447, 0.0900 (cumulative 0.6652, 0.9100):
        // top_p 0.90 now keeps two tokens, top_p 0.91 three
        assertArrayEquals(new double[] {0.731058578630, 0.268941421370, 0, 0},
                probs(logits, SamplingParams.builder().topK(3).topP(0.90)), EPS);
        assertArrayEquals(new double[] {0.665240955775, 0.244728471055, 0.090030573170, 0},
                probs(logits, SamplingParams.builder().topK(3).topP(0.91)), EPS);
    }

    @Test
    void topPOnALargeVocabularyMatchesAFullSort() {
        SplittableRandom random = new SplittableRandom(11);
        float[] logits = new float[40_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 2);
        }
        for (double topP : new double[] {0.05, 0.5, 0.9, 0.999}) {
            double[] p = probs(logits, SamplingParams.builder().topP(topP));
            Integer[] order = new Integer[logits.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
            double[] w = new double[logits.length];
            double total = 0;
            for (int i = 0; i < order.length; i++) {
                w[i] = (float) Math.exp(logits[order[i]] - logits[order[0]]);
                total += w[i];
            }
            int kept = 0;
            double cumulative = 0;
            while (kept < order.length && cumulative < topP * total) {
                cumulative += w[kept++];
            }
            for (int i = 0; i < order.length; i++) {
                double expected = i < kept ? w[i] / cumulative : 0;
                assertEquals(expected, p[order[i]], 1e-9, "top_p " + topP + " rank " + i);
            }
        }
    }

    // ---- min-p ----

    @Test
    void minPDropsTokensBelowAFractionOfTheMaximum() {
        float[] logits = {2f, 1f, 0f, -1f};
        // relative weights 1, 0.3679, 0.1353, 0.0498
        assertArrayEquals(new double[] {0.731058578630, 0.268941421370, 0, 0},
                probs(logits, SamplingParams.builder().minP(0.3)), EPS);
        assertArrayEquals(new double[] {1, 0, 0, 0}, probs(logits, SamplingParams.builder().minP(0.37)), EPS);
        assertArrayEquals(new double[] {0.665240955775, 0.244728471055, 0.090030573170, 0},
                probs(logits, SamplingParams.builder().minP(0.1)), EPS);
        assertArrayEquals(new double[] {1, 0, 0, 0}, probs(logits, SamplingParams.builder().minP(1)), EPS);
        // equal to the threshold is kept
        assertArrayEquals(new double[] {0.5, 0.5}, probs(new float[] {0f, 0f}, SamplingParams.builder().minP(1)), 0);
    }

    @Test
    void minPUsesTheTemperatureScaledDistribution() {
        // T = 0.5: z = [0, -2, -4]: weights 1, 0.1353, 0.0183 -> min_p 0.1 keeps two
        assertArrayEquals(new double[] {0.880797077978, 0.119202922022, 0},
                probs(new float[] {2f, 1f, 0f}, SamplingParams.builder().temperature(0.5).minP(0.1)), EPS);
    }

    // ---- whole pipeline ----

    @Test
    void pipelineAppliesPenaltiesTemperatureThenFilters() {
        SamplingParams.Builder b = SamplingParams.builder().repetitionPenalty(2).temperature(0.5).topK(2);
        // prompt {0}: token 0: 4/2 = 2. Then z/T: [2, 3, 1] / 0.5 = [4, 6, 2]; top-2: tokens 1 and 0
        SequenceState s = new SequenceState(b.build(), new int[] {0});
        double[] p = sampler.probabilities(new float[] {4f, 3f, 1f}, s);
        // softmax([6, 4]) = [0.8808, 0.1192]
        assertArrayEquals(new double[] {0.119202922022, 0.880797077978, 0}, p, EPS);
    }

    // ---- randomness ----

    @Test
    void sameSeedGivesTheSameSequence() {
        SamplingParams p = SamplingParams.builder().temperature(0.9).topP(0.95).presencePenalty(0.3).seed(1234)
                .build();
        int[] a = draw(p, 100);
        int[] b = draw(p, 100);
        assertArrayEquals(a, b);
        assertTrue(Arrays.stream(a).distinct().count() > 5, "draws should vary: " + Arrays.toString(a));
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        SamplingParams.Builder b = SamplingParams.builder().temperature(1.0);
        assertNotEquals(Arrays.toString(draw(b.seed(1).build(), 100)), Arrays.toString(draw(b.seed(2).build(), 100)));
    }

    @Test
    void withoutASeedEachSequenceGetsItsOwnRandomSeed() {
        SamplingParams p = SamplingParams.builder().build();
        SequenceState a = new SequenceState(p, NO_PROMPT);
        SequenceState b = new SequenceState(p, NO_PROMPT);
        assertNotEquals(a.seed(), b.seed());
        assertEquals(77, new SequenceState(SamplingParams.builder().seed(77).build(), NO_PROMPT).seed());
    }

    /** Samples n tokens from a fixed 32-token distribution, appending each one (so penalties evolve). */
    private int[] draw(SamplingParams p, int n) {
        float[] logits = new float[32];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i * 0.7);
        }
        SequenceState s = new SequenceState(p, new int[] {1, 2, 3});
        Sampler fresh = new Sampler();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = fresh.sample(logits, s);
            s.append(out[i]);
        }
        return out;
    }

    @Test
    void empiricalDistributionMatchesSoftmax() {
        float[] logits = {0.5f, 1.0f, -0.3f, 2.0f, 0.0f};
        double[] expected = {0.12215575644238098, 0.20140079398501776, 0.05488811950321068, 0.5474641185266975,
                0.07409121154269312};
        SequenceState s = new SequenceState(SamplingParams.builder().seed(20240601).build(), NO_PROMPT);
        int draws = 200_000;
        long[] observed = new long[logits.length];
        for (int i = 0; i < draws; i++) {
            observed[sampler.sample(logits, s)]++;
        }
        double chi2 = 0;
        for (int t = 0; t < logits.length; t++) {
            double e = expected[t] * draws;
            chi2 += (observed[t] - e) * (observed[t] - e) / e;
        }
        // 4 degrees of freedom: P(chi2 > 18.47) = 0.001
        assertTrue(chi2 < 18.47, "chi-square " + chi2 + " observed " + Arrays.toString(observed));
    }

    @Test
    void samplingRespectsFilters() {
        float[] logits = {2f, 1f, 0f, -1f, Float.NEGATIVE_INFINITY};
        SequenceState s = new SequenceState(SamplingParams.builder().topK(3).topP(0.9).seed(5).build(), NO_PROMPT);
        long[] observed = new long[logits.length];
        for (int i = 0; i < 20_000; i++) {
            observed[sampler.sample(logits, s)]++;
        }
        assertEquals(0, observed[2] + observed[3] + observed[4], Arrays.toString(observed));
        // 0.7311 of 20000 = 14621, sd ~ 63
        assertEquals(14621, observed[0], 400);
    }

    @Test
    void samplingAcrossManyBlocksMatchesTheDistribution() {
        // 2500 tokens (three sampling blocks) in 5 groups of 500 with logits 0, ln 2, 0, ln 3, 0:
        // group masses 1:2:1:3:1
        float[] logits = new float[2500];
        float[] groupLogit = {0f, (float) Math.log(2), 0f, (float) Math.log(3), 0f};
        for (int t = 0; t < logits.length; t++) {
            logits[t] = groupLogit[t / 500];
        }
        SequenceState s = new SequenceState(SamplingParams.builder().seed(77).build(), NO_PROMPT);
        int draws = 20_000;
        long[] observed = new long[5];
        for (int i = 0; i < draws; i++) {
            observed[sampler.sample(logits, s) / 500]++;
        }
        double[] expected = {1 / 8.0, 2 / 8.0, 1 / 8.0, 3 / 8.0, 1 / 8.0};
        double chi2 = 0;
        for (int g = 0; g < 5; g++) {
            double e = expected[g] * draws;
            chi2 += (observed[g] - e) * (observed[g] - e) / e;
        }
        assertTrue(chi2 < 18.47, "chi-square " + chi2 + " observed " + Arrays.toString(observed));
    }

    // ---- robustness ----

    @Test
    void logitsAreNotModifiedAndScratchAdaptsToVocabularySize() {
        SequenceState s = new SequenceState(
                SamplingParams.builder().repetitionPenalty(1.3).frequencyPenalty(0.5).topK(3).seed(9).build(),
                new int[] {0, 1});
        float[] big = new float[1000];
        Arrays.fill(big, -1f);
        big[500] = 10f;
        float[] copy = big.clone();
        assertEquals(500, sampler.sample(big, s));
        assertArrayEquals(copy, big);
        float[] small = {0f, 0f, 20f};
        assertEquals(2, sampler.sample(small, s));
        assertArrayEquals(new float[] {0f, 0f, 20f}, small);
    }

    @Test
    void badLogitsAreRejected() {
        SequenceState s = state(SamplingParams.builder());
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[] {0f, Float.NaN}, s));
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new float[] {0f, Float.POSITIVE_INFINITY}, s));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[0], s));
        assertThrows(IllegalStateException.class,
                () -> sampler.sample(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, s));
        assertThrows(IllegalArgumentException.class, () -> Sampler.argmax(new float[] {Float.NaN, 1f}));
        assertThrows(IllegalStateException.class, () -> Sampler.argmax(new float[] {Float.NEGATIVE_INFINITY}));
    }

    // ---- logit bias and min_tokens ----

    @Test
    void logitBiasIsAddedBeforeSamplingAndLeavesTheLogitsUntouched() {
        float[] logits = {2f, 1f, 0f, -1f};
        float[] copy = logits.clone();
        SequenceState greedy = state(SamplingParams.builder().temperature(0).logitBias(java.util.Map.of(3, 3.5f)));
        assertEquals(3, sampler.sample(logits, greedy)); // -1 + 3.5 = 2.5 > 2
        assertEquals(0, sampler.sample(logits, state(SamplingParams.builder().temperature(0).logitBias(java.util.Map.of(3, 2.5f)))));
        assertArrayEquals(copy, logits);
        // sampled: the distribution is softmax(l + b)
        double[] p = probs(logits, SamplingParams.builder().logitBias(java.util.Map.of(0, -100f, 1, 1f)));
        double[] z = {Math.exp(-98), Math.exp(2), Math.exp(0), Math.exp(-1)};
        double sum = Arrays.stream(z).sum();
        for (int t = 0; t < 4; t++) assertEquals(z[t] / sum, p[t], EPS, "token " + t);
    }

    @Test
    void minTokensMasksTheEndTokensUntilEnoughAreGenerated() {
        float[] logits = {0f, 5f, 1f, 4f}; // token 1 ends the sequence, token 3 is a stop token id
        SequenceState s = new SequenceState(SamplingParams.builder().temperature(0).maxTokens(10).minTokens(2).build(),
                NO_PROMPT, new int[] {1, 3});
        assertEquals(2, sampler.sample(logits, s));
        s.append(2);
        assertEquals(2, sampler.sample(logits, s));
        s.append(2);
        assertEquals(1, sampler.sample(logits, s)); // two generated: the end token may come
        double[] p = sampler.probabilities(logits, new SequenceState(SamplingParams.builder().minTokens(1).build(),
                NO_PROMPT, new int[] {1, 3}));
        assertEquals(0, p[1]);
        assertEquals(0, p[3]);
        assertEquals(1, p[0] + p[2], EPS);
    }
}
