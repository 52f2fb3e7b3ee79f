package dev.vane.lab.steering;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Word-level slicing of text into chunks, as the classifier and the prompt sets use it. */
public final class Chunks {

    private Chunks() {}

    /** Whitespace-separated words (paragraph breaks become plain spaces when rejoined). */
    public static List<String> words(String text) {
        String t = text.strip();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    /**
     * Consecutive chunks of {@code size} words from the start of {@code text}, at most {@code max};
     * a trailing piece shorter than {@code size / 2} words is dropped.
     */
    public static List<String> of(String text, int size, int max) {
        if (size < 1) throw new IllegalArgumentException("chunk size must be >= 1, got " + size);
        List<String> w = words(text);
        List<String> out = new ArrayList<>();
        for (int from = 0; from < w.size() && out.size() < max; from += size) {
            int to = Math.min(w.size(), from + size);
            if (to - from < Math.max(1, size / 2)) break;
            out.add(String.join(" ", w.subList(from, to)));
        }
        return out;
    }

    /** The first {@code n} words of each paragraph ({@code \n\n}-separated) that has at least {@code n}, at most {@code max}. */
    public static List<String> paragraphOpenings(String text, int n, int max) {
        List<String> out = new ArrayList<>();
        for (String p : text.split("\\n\\s*\\n")) {
            if (out.size() >= max) break;
            List<String> w = words(p);
            if (w.size() >= n) out.add(String.join(" ", w.subList(0, n)));
        }
        return out;
    }
}
