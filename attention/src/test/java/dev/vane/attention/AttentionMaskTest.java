package dev.vane.attention;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Visibility from absolute positions, with and without a sliding window. */
class AttentionMaskTest {

    @Test
    void causalAndWindowedVisibility() {
        assertThat(AttentionMask.visible(5, 5, 0)).isTrue();
        assertThat(AttentionMask.visible(5, 6, 0)).isFalse();
        assertThat(AttentionMask.visible(5, 0, 0)).isTrue();
        assertThat(AttentionMask.visible(5, 2, 3)).isFalse(); // window 3: keys 3, 4, 5
        assertThat(AttentionMask.visible(5, 3, 3)).isTrue();
        assertThat(AttentionMask.firstVisible(5, 0)).isZero();
        assertThat(AttentionMask.firstVisible(5, 3)).isEqualTo(3);
        assertThat(AttentionMask.firstVisible(1, 3)).isZero();
        for (int q = 0; q < 12; q++)
            for (int w : new int[] {0, 1, 4})
                for (int k = 0; k <= q; k++)
                    assertThat(AttentionMask.visible(q, k, w)).isEqualTo(k >= AttentionMask.firstVisible(q, w));
    }

    @Test
    void additiveMasksFollowPositionsNotAFlag() {
        // two queries at positions 3 and 4 over keys 0..4: fewer queries than keys
        float[] m = AttentionMask.additive(new int[][] {{3, 4}}, new int[][] {{0, 1, 2, 3, 4}}, 0);
        float inf = Float.NEGATIVE_INFINITY;
        assertThat(m).containsExactly(0, 0, 0, 0, inf, 0, 0, 0, 0, 0);
        assertThat(AttentionMask.allVisible(new int[][] {{4}}, new int[][] {{0, 1, 2, 3, 4}}, 0)).isTrue();
        assertThat(AttentionMask.allVisible(new int[][] {{3, 4}}, new int[][] {{0, 1, 2, 3, 4}}, 0)).isFalse();
        assertThat(AttentionMask.allVisible(new int[][] {{4}}, new int[][] {{0, 1, 2, 3, 4}}, 2)).isFalse();
    }
}
