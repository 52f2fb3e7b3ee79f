package dev.vane.lab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Next-token cross-entropy, plain and weighted, against log-softmax written out by hand. */
class LossesTest {

    private static final float[] LOGITS = {1f, 2f, 0.5f, -1f, 0f, 3f, 2f, 2f, -2f}; // [1, 3, 3]

    /** −log softmax(row)[target], in doubles. */
    private static double nll(int row, int target) {
        double sum = 0;
        for (int v = 0; v < 3; v++) sum += Math.exp(LOGITS[row * 3 + v]);
        return Math.log(sum) - LOGITS[row * 3 + target];
    }

    @Test
    void theWeightedMeanWeighsEachTargetAndSkipsNegativeOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(LOGITS, new Shape(1, 3, 3));
            int[][] targets = {{1, 2, -1}};
            assertThat(Losses.crossEntropy(logits, targets).getFloat())
                    .isCloseTo((float) ((nll(0, 1) + nll(1, 2)) / 2), within(1e-6f));
            assertThat(Losses.crossEntropy(logits, targets, new float[][] {{1f, 3f, 5f}}).getFloat())
                    .isCloseTo((float) ((nll(0, 1) + 3 * nll(1, 2)) / 4), within(1e-6f));
            assertThatThrownBy(() -> Losses.crossEntropy(logits, new int[][] {{-1, -1, -1}})).hasMessageContaining("no target");
        }
    }
}
