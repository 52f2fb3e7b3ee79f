package dev.vane.steering.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class RefusalDirectionTest {

    /** Rows: 0 (1, 0, 0), 1 (3, 4, 0), 2 (0, 0, 2), 3 (0, 0, 0). */
    private static final float[][] EMBEDDING = {{1, 0, 0}, {3, 4, 0}, {0, 0, 2}, {0, 0, 0}};

    @Test
    void embeddingCentroidsOnAHandExample() {
        // refusal centroid of rows 0, 1 = (2, 2, 0); compliance centroid of rows 2, 3 = (0, 0, 1)
        // difference (2, 2, -1), norm 3
        RefusalDirection d = RefusalDirection.fromEmbeddings(EMBEDDING, new int[] {0, 1}, new int[] {2, 3});
        assertThat(d.source()).isEqualTo(RefusalDirection.Source.EMBEDDING_CENTROIDS);
        assertThat(d.unit()).containsExactly(new float[] {2f / 3, 2f / 3, -1f / 3}, within(1e-7f));
    }

    @Test
    void ndArrayEmbeddingGivesTheSameDirectionFromHalfPrecision() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] flat = new float[12];
            for (int i = 0; i < 4; i++) System.arraycopy(EMBEDDING[i], 0, flat, 3 * i, 3);
            var emb = m.create(flat, new ai.djl.ndarray.types.Shape(4, 3)).toType(DataType.FLOAT16, false);
            RefusalDirection d = RefusalDirection.fromEmbeddings(emb, new int[] {0, 1}, new int[] {2, 3});
            assertThat(d.unit()).containsExactly(new float[] {2f / 3, 2f / 3, -1f / 3}, within(1e-6f));
        }
    }

    @Test
    void activationMeansOnAHandExample() {
        // harmful mean (0, 3), benign mean (0, -1) → (0, 4) → (0, 1)
        RefusalDirection d = RefusalDirection.fromActivations(new float[][] {{1, 2}, {-1, 4}}, new float[][] {{0, -1}});
        assertThat(d.source()).isEqualTo(RefusalDirection.Source.ACTIVATION_MEANS);
        assertThat(d.unit()).containsExactly(0f, 1f);
    }

    @Test
    void rejectsBadIdsAndDegenerateDirections() {
        assertThatThrownBy(() -> RefusalDirection.fromEmbeddings(EMBEDDING, new int[] {4}, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refusalIds");
        assertThatThrownBy(() -> RefusalDirection.fromEmbeddings(EMBEDDING, new int[] {0}, new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("complianceIds");
        assertThatThrownBy(() -> RefusalDirection.fromEmbeddings(EMBEDDING, new int[] {0}, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coincide");
        assertThatThrownBy(() -> RefusalDirection.fromActivations(new float[][] {{1}}, new float[][] {{1, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("benign");
    }
}
