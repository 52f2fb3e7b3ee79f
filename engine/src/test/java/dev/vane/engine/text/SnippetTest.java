package dev.vane.engine.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SnippetTest {

    @Test
    void shortTextIsQuotedWhole() {
        assertThat(Snippet.of("temperature")).isEqualTo("temperature");
        assertThat(Snippet.of(null)).isEqualTo("null");
    }

    @Test
    void longTextIsCutWithAnEllipsis() {
        String s = Snippet.of("x".repeat(2048));
        assertThat(s).isEqualTo("x".repeat(Snippet.MAX) + "…");
        assertThat(Snippet.of("abcdef", 3)).isEqualTo("abc…");
    }

    @Test
    void controlCharactersAreEscapedAndSurrogatePairsKeptWhole() {
        assertThat(Snippet.of("a\nb\u0000")).isEqualTo("a\\u000ab\\u0000");
        String emoji = "\uD83D\uDE00";
        assertThat(Snippet.of("ab" + emoji, 3)).isEqualTo("ab…");
        assertThat(Snippet.of("ab" + emoji, 4)).isEqualTo("ab" + emoji);
    }
}
