package dev.vane.lab.vector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class VectorFitterTest {

    static final int D = 32, K = 3, SIGNAL_LAYER = 1;

    /**
     * Synthetic pairs: both members share a base activation with large variance along a nuisance
     * direction; in layer {@link #SIGNAL_LAYER} the positive is shifted by {@code c_i · planted}
     * plus small noise; in the other layers positive and negative are independent noise.
     */
    record Pairs(float[][][] pos, float[][][] neg) {}

    static Pairs pairs(int n, double[] planted, double[] nuisance, boolean constantShift, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][][] pos = new float[n][K][D], neg = new float[n][K][D];
        for (int i = 0; i < n; i++) {
            double big = 10 * r.nextGaussian();
            double c = constantShift ? 3 : 2 + r.nextDouble();
            for (int l = 0; l < K; l++)
                for (int j = 0; j < D; j++) {
                    double base = r.nextGaussian() + big * nuisance[j];
                    neg[i][l][j] = (float) base;
                    pos[i][l][j] = (float) (l == SIGNAL_LAYER
                            ? base + c * planted[j] + 0.1 * r.nextGaussian()
                            : r.nextGaussian() + big * nuisance[j]);
                }
        }
        return new Pairs(pos, neg);
    }

    static double[] unit(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[D];
        for (int j = 0; j < D; j++) v[j] = r.nextGaussian();
        double n = Math.sqrt(VectorFitter.dot(v, v));
        for (int j = 0; j < D; j++) v[j] /= n;
        return v;
    }

    static double cosine(float[] a, double[] b) {
        double dot = 0, na = 0;
        for (int j = 0; j < a.length; j++) {
            dot += a[j] * b[j];
            na += (double) a[j] * a[j];
        }
        return dot / Math.sqrt(na * VectorFitter.dot(b, b));
    }

    @ParameterizedTest
    @EnumSource(FitMethod.class)
    void recoversThePlantedDirectionPointingToPositives(FitMethod method) {
        double[] planted = unit(1), nuisance = unit(2);
        for (boolean constant : new boolean[] {false, true}) {
            Pairs p = pairs(40, planted, nuisance, constant, 7);
            float[][] v = VectorFitter.fit(p.pos(), p.neg(), method);
            assertThat(v).hasDimensions(K, D);
            assertThat(cosine(v[SIGNAL_LAYER], planted)).as("%s constant=%s", method, constant).isGreaterThan(0.99);
            // activation units: the length is the mean shift (3 when constant, about 2.5 otherwise)
            double len = Math.sqrt(VectorFitter.dot(toDouble(v[SIGNAL_LAYER]), toDouble(v[SIGNAL_LAYER])));
            assertThat(len).isCloseTo(constant ? 3 : 2.5, offset(0.25));
        }
    }

    @Test
    void pcaFlipsSignTowardsPositives() {
        double[] planted = unit(3), nuisance = unit(4);
        Pairs p = pairs(30, planted, nuisance, false, 9);
        // swapping the sets must flip the direction
        float[] forward = VectorFitter.fit(p.pos(), p.neg(), FitMethod.PCA)[SIGNAL_LAYER];
        float[] backward = VectorFitter.fit(p.neg(), p.pos(), FitMethod.PCA)[SIGNAL_LAYER];
        assertThat(cosine(forward, planted)).isGreaterThan(0.99);
        assertThat(cosine(backward, planted)).isLessThan(-0.99);
    }

    @Test
    void heldOutEvaluationFindsTheSignalLayer() {
        double[] planted = unit(5), nuisance = unit(6);
        Pairs train = pairs(40, planted, nuisance, false, 11);
        Pairs valid = pairs(20, planted, nuisance, false, 12);
        float[][] v = VectorFitter.fit(train.pos(), train.neg(), FitMethod.MEAN_DIFF);

        HeldOutEvaluation e = HeldOutEvaluation.evaluate(List.of(4, 5, 6), valid.pos(), valid.neg(), v);

        assertThat(e.accuracy()[SIGNAL_LAYER]).isEqualTo(1.0);
        assertThat(e.accuracy()[0]).isLessThan(0.9);
        assertThat(e.bestLayer()).isEqualTo(5);
        assertThat(e.metrics("valid")).containsEntry("valid.accuracy.layer.5", 1.0)
                .containsEntry("valid.best_layer", 5.0).containsEntry("valid.pairs", 20.0)
                .containsEntry("valid.accuracy.best", 1.0);
        assertThat(e.cosine()[SIGNAL_LAYER]).isGreaterThan(0.9);
        assertThat(Math.abs(e.cosine()[0])).isLessThan(0.3);
        assertThat(e.metrics("valid")).containsKey("valid.cosine.layer.5");
        assertThat(e.table()).containsPattern("\\| 5 \\| 1\\.000 \\| 0\\.9\\d\\d \\(best\\) \\|");
    }

    @Test
    void cosineBreaksAccuracyTies() {
        HeldOutEvaluation e = new HeldOutEvaluation(List.of(3, 4, 5), new double[] {1, 1, 0.5},
                new double[] {0.2, 0.6, 0.9}, 4);
        assertThat(e.bestLayer()).isEqualTo(4);
    }

    @Test
    void shapeErrorsAreReported() {
        float[][][] a = new float[2][K][D], b = new float[3][K][D];
        assertThatThrownBy(() -> VectorFitter.fit(a, b, FitMethod.PCA)).hasMessageContaining("as many negatives");
        assertThat(VectorFitter.fit(a, b, FitMethod.MEAN_DIFF)[0]).containsOnly(0f);
        assertThat(VectorFitter.fit(a, new float[2][K][D], FitMethod.PCA)[0]).containsOnly(0f);
        assertThatThrownBy(() -> FitMethod.parse("svd")).hasMessageContaining("--method: unknown method 'svd' (mean-diff, pca)");
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int j = 0; j < v.length; j++) d[j] = v[j];
        return d;
    }
}
