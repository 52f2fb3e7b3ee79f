package dev.vane.lab.steering;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChunksTest {

    @Test
    void chunksAreConsecutiveWordRunsAndShortTailsAreDropped() {
        String text = "a b c d\n\ne f g h i j";
        assertThat(Chunks.of(text, 4, 10)).containsExactly("a b c d", "e f g h", "i j");
        assertThat(Chunks.of(text, 4, 2)).containsExactly("a b c d", "e f g h");
        assertThat(Chunks.of("a b c d e", 4, 10)).containsExactly("a b c d"); // a 1-word tail < 4/2
    }

    @Test
    void paragraphOpeningsSkipShortParagraphs() {
        assertThat(Chunks.paragraphOpenings("one two three\n\nfour\n\nfive six seven eight", 3, 5))
                .containsExactly("one two three", "five six seven");
    }
}
