package dev.vane.steering.lac;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The LAC rule on hand-built norm sequences. */
class LacRuleTest {

    @Test
    void layerZeroIsActiveExactlyWhenTheNormDoesNotShrink() {
        assertThat(LacRule.active(new double[] {1, 1}, 0.8)).containsExactly(true);   // Δ0 = 0 ≥ τ0 = 0
        assertThat(LacRule.active(new double[] {1, 2}, 0.8)).containsExactly(true);
        assertThat(LacRule.active(new double[] {2, 1}, 0.8)).containsExactly(false);  // Δ0 = −1 < 0
    }

    @Test
    void layerOneComparesWithZeroBecauseOneDeltaHasNoRange() {
        // Δ0 = 5, τ1 = 0.8·(5 − 5) = 0: Δ1 = −0.5 is void, Δ1 = 0 active
        assertThat(LacRule.active(new double[] {1, 6, 5.5}, 0.8)).containsExactly(true, false);
        assertThat(LacRule.active(new double[] {1, 6, 6}, 0.8)).containsExactly(true, true);
    }

    @Test
    void thresholdsFollowTheRangeOfEarlierSignedChanges() {
        // norms 0, 10, 8, 9, 20, 20.5: Δ = 10, −2, 1, 11, 0.5
        // τ: 0, 0, α·12, α·12, α·13 with α = 0.5: 0, 0, 6, 6, 6.5
        double[] n = {0, 10, 8, 9, 20, 20.5};
        assertThat(LacRule.active(n, 0.5)).containsExactly(true, false, false, true, false);
        // α = 0: every non-negative change is active, negative ones are not
        assertThat(LacRule.active(n, 0)).containsExactly(true, false, true, true, true);
        // α = 1: Δ3 = 11 < τ3 = 12
        assertThat(LacRule.active(n, 1)).containsExactly(true, false, false, false, false);
    }

    @Test
    void incrementalUseMatchesTheWholeSequenceAndRestarts() {
        LacRule r = new LacRule(0.5);
        for (int rep = 0; rep < 2; rep++) {
            r.start(0);
            assertThat(r.threshold()).isZero();
            assertThat(new boolean[] {r.observe(10), r.observe(8), r.observe(9)}).containsExactly(true, false, false);
            assertThat(r.threshold()).isEqualTo(6.0);
        }
    }

    @Test
    void alphaOutsideTheUnitIntervalIsRejected() {
        assertThatThrownBy(() -> new LacRule(1.5)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new LacRule(-0.1)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new LacRule(Double.NaN)).hasMessageContaining("alpha");
    }
}
