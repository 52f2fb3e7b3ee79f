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
    void activationGapsKeepOneUnnormalisedRowPerLayer() {
        // layer 0: harmful mean (0, 3), benign (0, -1) → (0, 4); layer 1: (2, 0) − (1, 1) → (1, -1)
        float[][][] harmful = {{{1, 2}, {-1, 4}}, {{2, 0}, {2, 0}}};
        float[][][] benign = {{{0, -1}}, {{1, 1}}};
        RefusalDirection d = RefusalDirection.fromActivationGaps(harmful, benign);
        assertThat(d.source().perLayer()).isTrue();
        assertThat(d.at(0)).containsExactly(0f, 4f);
        assertThat(d.at(1)).containsExactly(1f, -1f);
        assertThat(d.flat()).containsExactly(0f, 4f, 1f, -1f);
        assertThatThrownBy(d::unit).isInstanceOf(IllegalStateException.class).hasMessageContaining("per layer");
        assertThatThrownBy(() -> d.at(2)).hasMessageContaining("layer 2");
        // a shared direction answers every layer with its one row
        RefusalDirection shared = RefusalDirection.fromActivations(harmful[0], benign[0]);
        assertThat(shared.at(5)).isSameAs(shared.unit());
        assertThatThrownBy(() -> RefusalDirection.fromActivationGaps(harmful, new float[][][] {benign[0]}))
                .hasMessageContaining("same non-zero number of layers");
        assertThatThrownBy(() -> new RefusalDirection(RefusalDirection.Source.ACTIVATION_MEANS, new float[][] {{1}, {1}}))
                .hasMessageContaining("one shared row");
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
