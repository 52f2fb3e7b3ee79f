package dev.vane.lab.gact;

import dev.vane.steering.gact.Synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GactFitTest {

    private static final int N = 300, L = 2, D = 16, K = 3;

    /**
     * Per layer, each prompt has a hidden flavour c: its neutral activation leans along u_l,c and
     * its explicit activation is the neutral one plus the planted direction v_l,c.
     */
    private record Data(float[][][] neutral, float[][][] explicit, float[][][] planted) {
        static Data make(long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            float[][][] u = new float[L][][], v = new float[L][][];
            for (int l = 0; l < L; l++) {
                u[l] = Synthetic.directions(rng, K, D, 4); // flavours 5.7σ apart: Bayes error well under 1%
                v[l] = Synthetic.directions(rng, K, D, 4);
            }
            float[][][] neutral = new float[N][L][], explicit = new float[N][L][];
            for (int i = 0; i < N; i++) {
                int c = rng.nextInt(K);
                for (int l = 0; l < L; l++) {
                    float[] a = Synthetic.gaussian(rng, D, 1);
                    float[] e = Synthetic.gaussian(rng, D, 0.2);
                    for (int j = 0; j < D; j++) {
                        a[j] += u[l][c][j];
                        e[j] += a[j] + v[l][c][j];
                    }
                    neutral[i][l] = a;
                    explicit[i][l] = e;
                }
            }
            return new Data(neutral, explicit, v);
        }
    }

    @Test
    void probesPredictThePlantedFlavourAndDirectionsMatchThePlantedOnes() {
        Data data = Data.make(42);
        GactFit.Result r = GactFit.fit(data.neutral(), data.explicit(), GactFit.Config.defaults(1));

        assertThat(r.reports()).extracting(GactFit.LayerReport::layer).containsExactly(0, 1);
        for (GactFit.LayerReport rep : r.reports()) {
            assertThat(rep.probeHeldOutAccuracy()).as("layer %d held-out", rep.layer()).isGreaterThanOrEqualTo(0.9);
            assertThat(rep.clusterSizes()).hasSize(K);
        }
        for (int l = 0; l < L; l++) {
            float[][] mu = r.weights().layers().get(l).directions();
            int[] match = new int[K];
            for (int c = 0; c < K; c++) {
                double best = -1;
                for (int m = 0; m < K; m++) {
                    double cos = Synthetic.cosine(mu[m], data.planted()[l][c]);
                    if (cos > best) {
                        best = cos;
                        match[c] = m;
                    }
                }
                assertThat(best).as("layer %d direction %d cosine", l, c).isGreaterThan(0.95);
            }
            assertThat(match).doesNotHaveDuplicates();
        }
    }

    @Test
    void actBaselineFitsOnTheSameSplitAndTheTableListsEveryLayer() {
        Data data = Data.make(43);
        GactFit.Config cfg = GactFit.Config.defaults(2);
        GactFit.Result g = GactFit.fit(data.neutral(), data.explicit(), cfg);
        List<ActBaseline.LayerFit> act = ActBaseline.fit(data.neutral(), data.explicit(), cfg);

        assertThat(act).extracting(ActBaseline.LayerFit::layer).containsExactly(0, 1);
        for (ActBaseline.LayerFit f : act) {
            // explicit = neutral + v_c: each cluster's binary probe separates them along v_c
            assertThat(f.probeHeldOutAccuracy()).isGreaterThanOrEqualTo(0.9);
            assertThat(f.vectors()).hasNumberOfRows(K);
            for (int c = 0; c < K; c++) {
                double best = -1;
                for (float[] planted : data.planted()[f.layer()]) best = Math.max(best, Synthetic.cosine(f.vectors()[c], planted));
                assertThat(best).as("ACT vector %d of layer %d", c, f.layer()).isGreaterThan(0.8);
            }
        }
        String table = ProbeComparison.table(g.reports(), act, K);
        System.out.print(table);
        assertThat(table.lines()).hasSize(1 + L + 1);
        assertThat(table).contains("G-ACT (k=3)").contains("chance").contains("ACT > chance").contains("mean");
        assertThat(ProbeComparison.aboveChance(0.75, 0.5)).isEqualTo(0.5);
        assertThat(ProbeComparison.aboveChance(1.0 / 3, 1.0 / 3)).isZero();
        assertThat(GactFit.majorityShare(new int[] {0, 2, 2, 1, 2}, 3)).isEqualTo(0.6);
        for (GactFit.LayerReport r : g.reports()) assertThat(r.heldOutChance()).isBetween(1.0 / K, 1.0);
    }

    @Test
    void aGivenHeldOutSetIsTheOneScoredAndEqualsTheSeededSplitItCopies() {
        Data data = Data.make(44);
        GactFit.Config cfg = GactFit.Config.defaults(3);
        int[] layers = {0, 1};
        Split seeded = Split.of(N, cfg.heldOutFraction(), cfg.seed());
        GactFit.Result a = GactFit.fit(data.neutral(), data.explicit(), layers, cfg);
        GactFit.Result b = GactFit.fit(data.neutral(), data.explicit(), layers, seeded.heldOut(), cfg);
        for (int i = 0; i < layers.length; i++) {
            assertThat(b.reports().get(i).probeHeldOutAccuracy()).isEqualTo(a.reports().get(i).probeHeldOutAccuracy());
            // the training prompts come in another order, so the clusters may be numbered differently
            assertThat(java.util.Arrays.stream(b.reports().get(i).clusterSizes()).sorted().toArray())
                    .isEqualTo(java.util.Arrays.stream(a.reports().get(i).clusterSizes()).sorted().toArray());
        }
        List<ActBaseline.LayerFit> actA = ActBaseline.fit(data.neutral(), data.explicit(), layers, cfg);
        List<ActBaseline.LayerFit> actB = ActBaseline.fit(data.neutral(), data.explicit(), layers, seeded.heldOut(), cfg);
        for (int i = 0; i < actA.size(); i++)
            assertThat(actB.get(i).probeHeldOutAccuracy()).isEqualTo(actA.get(i).probeHeldOutAccuracy());

        // k-means sees exactly the prompts not held out
        assertThat(java.util.Arrays.stream(a.reports().get(0).clusterSizes()).sum()).isEqualTo(N - 60);
        int[] first30 = java.util.stream.IntStream.range(0, 30).toArray();
        GactFit.Result c = GactFit.fit(data.neutral(), data.explicit(), layers, first30, cfg);
        assertThat(java.util.Arrays.stream(c.reports().get(0).clusterSizes()).sum()).isEqualTo(N - 30);
    }

    @Test
    void rejectsBadHeldOutSets() {
        float[][][] a = new float[4][1][3], e = new float[4][1][3];
        GactFit.Config cfg = GactFit.Config.defaults(0);
        assertThatThrownBy(() -> GactFit.fit(a, e, new int[] {0}, new int[0], cfg)).hasMessageContaining("heldOut");
        assertThatThrownBy(() -> GactFit.fit(a, e, new int[] {0}, new int[] {0, 1, 2, 3}, cfg)).hasMessageContaining("heldOut");
        assertThatThrownBy(() -> GactFit.fit(a, e, new int[] {0}, new int[] {4}, cfg)).hasMessageContaining("[0, 4)");
        assertThatThrownBy(() -> ActBaseline.fit(a, e, new int[] {0}, new int[] {1, 1}, cfg)).hasMessageContaining("twice");
    }

    @Test
    void rejectsMismatchedPairs() {
        float[][][] a = new float[4][2][3], e = new float[3][2][3];
        assertThatThrownBy(() -> GactFit.fit(a, e, GactFit.Config.defaults(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("explicit");
        assertThatThrownBy(() -> GactFit.fit(a, new float[4][2][3], new int[] {2}, GactFit.Config.defaults(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers");
    }
}
