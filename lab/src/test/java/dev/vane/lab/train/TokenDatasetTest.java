package dev.vane.lab.train;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class TokenDatasetTest {

    /** Documents {@code 0, d, d, ..., 1} with random body lengths in [min, max] and body tokens >= 2. */
    private static int[] documents(int count, int min, int max) {
        SplittableRandom r = new SplittableRandom(5);
        var b = java.util.stream.IntStream.builder();
        for (int d = 0; d < count; d++) {
            b.add(0);
            int len = min + r.nextInt(max - min + 1);
            for (int i = 0; i < len; i++) b.add(2 + r.nextInt(50));
            b.add(1);
        }
        return b.build().toArray();
    }

    @Test
    void windowsOverShortDocumentsStartAtTheirBos() {
        TokenDataset data = new TokenDataset(documents(200, 3, 40), OptionalInt.of(0));
        assertThat(data.documents()).isEqualTo(200);
        for (int step = 0; step < 20; step++)
            for (int[] row : data.batch(3, step, 8, 64).inputs()) assertThat(row[0]).isZero();
    }

    @Test
    void longDocumentsAreAlsoReadFromInside() {
        int[] t = documents(20, 500, 600);
        TokenDataset data = new TokenDataset(t, OptionalInt.of(0));
        int atStart = 0, inside = 0;
        for (int step = 0; step < 50; step++)
            for (int[] row : data.batch(3, step, 8, 32).inputs()) {
                if (row[0] == 0) atStart++;
                else inside++;
            }
        assertThat(inside).isGreaterThan(300);
        assertThat(atStart).isGreaterThan(5); // the first 32 positions of each document snap to its BOS
    }

    @Test
    void windowsStartAnywhereWithoutADocumentToken() {
        TokenDataset data = new TokenDataset(documents(200, 3, 40));
        assertThat(data.documents()).isZero();
        int notAtStart = 0;
        for (int step = 0; step < 20; step++)
            for (int[] row : data.batch(3, step, 8, 64).inputs()) if (row[0] != 0) notAtStart++;
        assertThat(notAtStart).isGreaterThan(100);
    }

    @Test
    void theSameStepGivesTheSameBatch() {
        TokenDataset data = new TokenDataset(documents(100, 3, 40), OptionalInt.of(0));
        assertThat(data.batch(9, 17, 4, 16).inputs()).isDeepEqualTo(data.batch(9, 17, 4, 16).inputs());
    }
}
