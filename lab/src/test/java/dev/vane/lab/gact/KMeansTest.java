package dev.vane.lab.gact;

import dev.vane.steering.gact.Synthetic;
import dev.vane.steering.gact.Vec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KMeansTest {

    @Test
    void recoversPlantedClustersExactly() {
        SplittableRandom rng = new SplittableRandom(7);
        int k = 3, d = 8, per = 40;
        float[][] centres = Synthetic.directions(rng, k, d, 6);
        float[][] x = new float[k * per][];
        int[] truth = new int[k * per];
        for (int i = 0; i < x.length; i++) {
            truth[i] = i % k; // interleaved, so cluster order is not the input order
            x[i] = Synthetic.gaussian(rng, d, 0.5);
            for (int j = 0; j < d; j++) x[i][j] += centres[truth[i]][j];
        }
        KMeans.Result r = KMeans.fit(x, KMeans.Config.of(k, 1));

        int[] map = new int[k]; // planted cluster -> found cluster
        for (int c = 0; c < k; c++) map[c] = KMeans.nearest(r.centroids(), centres[c]);
        assertThat(map).doesNotHaveDuplicates();
        for (int i = 0; i < x.length; i++) assertThat(r.assignments()[i]).isEqualTo(map[truth[i]]);
        for (int c = 0; c < k; c++)
            assertThat(Math.sqrt(Vec.distanceSquared(r.centroids()[map[c]], centres[c]))).isLessThan(0.4);
        assertThat(r.sizes()).containsOnly(per);
    }

    @Test
    void sameSeedSameClustering() {
        SplittableRandom rng = new SplittableRandom(3);
        float[][] x = new float[60][];
        for (int i = 0; i < x.length; i++) x[i] = Synthetic.gaussian(rng, 4, 1); // no structure: init matters
        KMeans.Result a = KMeans.fit(x, KMeans.Config.of(4, 11));
        KMeans.Result b = KMeans.fit(x, KMeans.Config.of(4, 11));
        assertThat(a.assignments()).isEqualTo(b.assignments());
        assertThat(a.inertia()).isEqualTo(b.inertia());
    }

    @Test
    void noClusterIsLeftEmptyWhenPointsCoincide() {
        float[][] x = {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {10, 0}};
        for (long seed = 0; seed < 20; seed++) {
            KMeans.Result r = KMeans.fit(x, new KMeans.Config(3, 50, 1, seed));
            assertThat(r.sizes()).doesNotContain(0);
            assertThat(r.inertia()).isCloseTo(0, within(1e-9));
        }
    }

    @Test
    void rejectsInvalidArguments() {
        float[][] x = {{0f}, {1f}};
        assertThatThrownBy(() -> KMeans.fit(x, KMeans.Config.of(3, 0))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
        assertThatThrownBy(() -> KMeans.Config.of(0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k");
        assertThatThrownBy(() -> KMeans.fit(new float[][] {{0f}, {1f, 2f}}, KMeans.Config.of(1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rectangular");
    }
}
