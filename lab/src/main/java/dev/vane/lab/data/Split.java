package dev.vane.lab.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/** The three disjoint parts every demo data set is cut into. */
public enum Split {
    TRAIN, VALID, TEST;

    /** The lower-case name written to JSONL files and file names ({@code train}, {@code valid}, {@code test}). */
    public String label() { return name().toLowerCase(Locale.ROOT); }

    /** The split of a {@link #label}. */
    public static Split parse(String s) {
        for (Split v : values()) if (v.label().equals(s)) return v;
        throw new IllegalArgumentException("must be train, valid or test, got '" + s + "'");
    }

    /** Fractions of held-out items; the rest is training data. */
    public record Ratios(double valid, double test) {
        public static final Ratios DEFAULT = new Ratios(0.1, 0.1);

        public Ratios {
            if (!(valid >= 0 && test >= 0 && valid + test < 1))
                throw new IllegalArgumentException("split ratios must be >= 0 with valid + test < 1, got " + valid + ", " + test);
        }
    }

    /**
     * Shuffles {@code items} with {@code seed} and cuts them into train / valid / test, in that
     * order of the returned list. Each held-out part with a positive ratio gets at least one item
     * once there are three or more items, so small groups (a Brown genre with 6 texts, a short
     * word list) still have something to evaluate on. The input order matters: pass items in a
     * canonical order (sorted) for reproducible results.
     */
    public static <T> List<List<T>> cut(List<T> items, long seed, Ratios ratios) {
        List<T> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new java.util.Random(seed));
        int n = shuffled.size();
        int nValid = count(n, ratios.valid()), nTest = count(n, ratios.test());
        if (nValid + nTest >= n) { nValid = Math.min(nValid, Math.max(0, (n - 1) / 2)); nTest = Math.min(nTest, Math.max(0, n - 1 - nValid)); }
        List<T> test = shuffled.subList(0, nTest);
        List<T> valid = shuffled.subList(nTest, nTest + nValid);
        List<T> train = shuffled.subList(nTest + nValid, n);
        return List.of(List.copyOf(train), List.copyOf(valid), List.copyOf(test));
    }

    private static int count(int n, double ratio) {
        if (ratio <= 0) return 0;
        int k = (int) Math.round(n * ratio);
        return n >= 3 ? Math.max(1, k) : k;
    }

    /** A child seed for one named part, so that parts do not share random streams. */
    public static long derive(long seed, String part) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < part.length(); i++) h = (h ^ part.charAt(i)) * 0x100000001B3L;
        return new SplittableRandom(h).nextLong();
    }
}
