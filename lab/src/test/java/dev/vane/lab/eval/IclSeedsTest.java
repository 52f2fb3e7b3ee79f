package dev.vane.lab.eval;

import dev.vane.lab.data.IclTasks.Example;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Demonstrations drawn per query and seed, and the interval over seeds. */
class IclSeedsTest {

    private static List<Example> train(int n) {
        List<Example> t = new ArrayList<>();
        for (int i = 0; i < n; i++) t.add(new Example("in" + i, "out" + i));
        return t;
    }

    @Test
    void eachQueryAndSeedDrawsItsOwnDistinctDemonstrationsReproducibly() {
        List<Example> train = train(200);
        List<Example> a = IclPrompt.sampledShots(train, 10, 3, 7);
        assertThat(a).hasSize(10).doesNotHaveDuplicates();
        assertThat(IclPrompt.sampledShots(train, 10, 3, 7)).isEqualTo(a);
        assertThat(IclPrompt.sampledShots(train, 10, 3, 8)).isNotEqualTo(a);
        assertThat(IclPrompt.sampledShots(train, 10, 4, 7)).isNotEqualTo(a);
        // over many queries every training example turns up: not one fixed set
        HashSet<Example> seen = new HashSet<>();
        for (int q = 0; q < 200; q++) seen.addAll(IclPrompt.sampledShots(train, 10, 0, q));
        assertThat(seen.size()).isGreaterThan(190);
        assertThat(IclPrompt.sampledShots(train(4), 10, 0, 0)).hasSize(4);
    }

    @Test
    void theIntervalIsStudentsTOverSeeds() {
        SeedInterval i = SeedInterval.of(new double[] {0.5, 0.6, 0.7});
        // sd 0.1, t(0.975, 2) = 4.3027
        assertThat(i.mean()).isCloseTo(0.6, within(1e-12));
        assertThat(i.high() - i.mean()).isCloseTo(4.302653 * 0.1 / Math.sqrt(3), within(1e-5));
        assertThat(i.mean() - i.low()).isCloseTo(i.high() - i.mean(), within(1e-12));
        assertThat(i.percent()).isEqualTo("60% (35 – 85)");
        SeedInterval one = SeedInterval.of(new double[] {0.25});
        assertThat(one.low()).isEqualTo(0.25);
        assertThat(one.percent()).isEqualTo("25%");
        assertThatThrownBy(() -> SeedInterval.of(new double[0])).hasMessageContaining("no values");
    }
}
