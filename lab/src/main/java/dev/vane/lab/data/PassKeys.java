package dev.vane.lab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Pass-key retrieval documents (the Landmark-attention / Activation Beacon test): filler text
 * with a five-digit key hidden at a random depth, ending with the question. The answer follows
 * {@link #QUESTION} after one space.
 */
public final class PassKeys {

    private PassKeys() {}

    public static final String INTRO =
            "There is an important piece of information hidden inside a lot of irrelevant text. Find it and remember it. I will ask you about it.";
    public static final List<String> FILLER = List.of(
            "The grass is green.", "The sky is blue.", "The sun is yellow.", "Here we go.", "There and back again.");
    public static final String QUESTION = "What is the pass key? The pass key is";

    /** The sentence that carries the key. */
    public static String needle(String key) { return "The pass key is " + key + ". Remember it. " + key + " is the pass key."; }

    /**
     * One document: {@code text} ends with {@link #QUESTION}; {@code answer} is the key;
     * {@code depth} the fraction of filler sentences before the key (0 = first, 1 = last).
     */
    public record Example(String text, String answer, double depth) {
        /** The document with its answer, as it appears in the training text. */
        public String withAnswer() { return text + " " + answer + "."; }
    }

    /** Approximate characters per token used to turn token lengths into character lengths. */
    public static final int CHARS_PER_TOKEN = 4;

    /**
     * A document of about {@code targetChars} characters (never shorter than the intro, the key
     * sentence and the question) with {@code key} after a uniformly random number of filler sentences.
     */
    public static Example make(String key, int targetChars, SplittableRandom rng) {
        int fixed = INTRO.length() + needle(key).length() + QUESTION.length() + 3;
        List<String> filler = new ArrayList<>();
        int chars = fixed;
        int i = 0;
        while (chars < targetChars) {
            String s = FILLER.get(i++ % FILLER.size());
            filler.add(s);
            chars += s.length() + 1;
        }
        int at = rng.nextInt(filler.size() + 1);
        StringBuilder b = new StringBuilder(INTRO);
        for (int k = 0; k <= filler.size(); k++) {
            if (k == at) b.append(' ').append(needle(key));
            if (k < filler.size()) b.append(' ').append(filler.get(k));
        }
        b.append(' ').append(QUESTION);
        double depth = filler.isEmpty() ? 0 : Math.round(1000.0 * at / filler.size()) / 1000.0;
        return new Example(b.toString(), key, depth);
    }

    /** A fresh five-digit key not in {@code used} (which it is added to). */
    public static String freshKey(SplittableRandom rng, Set<String> used) {
        if (used.size() >= 90_000) throw new IllegalStateException("all five-digit pass keys are used");
        while (true) {
            String k = Integer.toString(10_000 + rng.nextInt(90_000));
            if (used.add(k)) return k;
        }
    }

    /** A document length drawn uniformly from [{@code minTokens}, {@code maxTokens}] tokens, in characters. */
    public static int drawChars(SplittableRandom rng, int minTokens, int maxTokens) {
        return CHARS_PER_TOKEN * (minTokens + rng.nextInt(maxTokens - minTokens + 1));
    }
}
