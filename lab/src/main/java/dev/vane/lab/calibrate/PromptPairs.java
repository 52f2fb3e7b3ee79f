package dev.vane.lab.calibrate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads contrastive prompt pairs from JSONL, one object per line (blank lines ignored):
 *
 * <pre>{@code
 * {"positive": "Tell me a love story.", "negative": "Tell me a war story."}
 * {"positive": "...", "negative": "...", "split": "valid"}
 * }</pre>
 *
 * Pairs rather than two labelled lists, because the fitting methods compare the members of a
 * pair and a pair keeps everything but the behaviour equal. The two keys depend on the command
 * ({@link Keys}: {@code positive}/{@code negative} for vectors, {@code explicit}/{@code neutral}
 * for G-ACT). {@code split} ({@code train} or {@code valid}) is either on every line or on none;
 * without it the held-out pairs are drawn by {@link #split}. Unknown keys are errors (a misspelt
 * {@code "negtive"} must not pass silently). Every error names the file and the line.
 */
public final class PromptPairs {

    /**
     * The JSON keys of the two sides.
     *
     * @param positive the side that shows the behaviour
     * @param negative the side that does not
     */
    public record Keys(String positive, String negative) {
        /** {@code calibrate vectors}. */
        public static final Keys VECTORS = new Keys("positive", "negative");
        /** {@code calibrate gact}: concept-neutral vs concept-explicit prompts. */
        public static final Keys GACT = new Keys("explicit", "neutral");

        List<String> all() {
            return List.of(positive, negative, "split");
        }
    }

    private PromptPairs() {}

    /**
     * The pairs of a file.
     *
     * @param splitGiven whether the lines carry {@code split} (then every line does)
     */
    public record Loaded(List<PromptPair> pairs, boolean splitGiven) {
        public Loaded {
            pairs = List.copyOf(pairs);
        }
    }

    /** {@link #read(Path, Keys)} with {@link Keys#VECTORS}. */
    public static Loaded read(Path file) {
        return read(file, Keys.VECTORS);
    }

    /** @throws IllegalArgumentException naming {@code file:line} and the field at fault */
    public static Loaded read(Path file, Keys keys) {
        List<PromptPair> out = new ArrayList<>();
        Boolean withSplit = null;
        for (JsonLines.Line line : JsonLines.read(file)) {
            line.onlyKeys(keys.all());
            String pos = line.text(keys.positive()), neg = line.text(keys.negative());
            boolean has = line.has("split");
            if (withSplit != null && withSplit != has) throw line.error("'split' must be on every line or on none");
            withSplit = has;
            out.add(new PromptPair(pos, neg, has ? Split.of(line) : Split.TRAIN, line.number()));
        }
        return new Loaded(out, withSplit);
    }

    /**
     * Marks {@code round(n · fraction)} pairs (at least one) as held out, chosen by a seeded
     * shuffle so the split is reproducible.
     */
    public static List<PromptPair> split(List<PromptPair> pairs, double fraction, long seed) {
        Set<Integer> held = Split.heldOut(pairs.size(), fraction, seed);
        List<PromptPair> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            PromptPair p = pairs.get(i);
            out.add(new PromptPair(p.positive(), p.negative(), held.contains(i) ? Split.VALID : Split.TRAIN, p.line()));
        }
        return out;
    }
}
