package dev.vane.lab.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Expected splits were produced with Python's {@code regex} module and Llama 3's pattern. */
class PreTokenizerTest {
    private static List<String> split(PreTokenizer p, String text) {
        List<String> out = new ArrayList<>();
        p.split(text, out::add);
        return out;
    }

    @Test
    void splitsLikeLlama3() {
        PreTokenizer p = new PreTokenizer(List.of());
        assertEquals(List.of("Hello", " world", "'s", " ", "123", "45", " THEY", "'RE", " (", "ok", ")!!\n\n", " ",
                " indented", "\tx", "  "), split(p, "Hello world's 12345 THEY'RE (ok)!!\n\n  indented\tx  "));
        assertEquals(List.of("日本語", " café", "\r\n\r\n"), split(p, "日本語 café\r\n\r\n"));
        assertEquals(List.of("a", " ", " b"), split(p, "a  b"));
        assertEquals(List.of(), split(p, ""));
    }

    @Test
    void cutsOutSpecialTokens() {
        PreTokenizer p = new PreTokenizer(List.of("<|a|>", "<|a|>x", "<|eos|>"));
        assertEquals(List.of("one", " two", "three", "y"), split(p, "<|eos|>one two<|eos|>three<|a|>xy<|a|>"));
    }

    @Test
    void wordsConcatenateToTheText() {
        PreTokenizer p = new PreTokenizer(List.of());
        Random r = new Random(7);
        for (int n = 0; n < 200; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = r.nextInt(60); i > 0; i--) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(128);
                    case 1 -> " \t\n\r\u00a0\u3000'".charAt(r.nextInt(7));
                    case 2 -> 0x80 + r.nextInt(0x3000);
                    default -> 0x1F300 + r.nextInt(0x700);
                };
                sb.appendCodePoint(cp);
            }
            String text = sb.toString();
            assertEquals(text, String.join("", split(p, text)));
        }
    }
}
