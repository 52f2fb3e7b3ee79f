package dev.vane.lab.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** The small English corpus of the trainer tests (src/test/resources/tokenizers/train-corpus). */
final class TrainTestSupport {
    private TrainTestSupport() {}

    /** @return the whole English text (about 3 KB) */
    static String english() {
        try (InputStream in = TrainTestSupport.class.getClassLoader()
                .getResourceAsStream("tokenizers/train-corpus/english.txt")) {
            if (in == null) {
                throw new IllegalStateException("Test resource not found: tokenizers/train-corpus/english.txt");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the English text's paragraphs */
    static List<String> paragraphs() {
        return Arrays.asList(english().split("\n\n"));
    }
}
