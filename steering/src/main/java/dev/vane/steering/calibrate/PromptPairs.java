package dev.vane.steering.calibrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.Random;

/**
 * Reads contrastive prompt pairs from JSONL, one object per line (blank lines ignored):
 *
 * <pre>{@code
 * {"positive": "Tell me a love story.", "negative": "Tell me a war story."}
 * {"positive": "...", "negative": "...", "split": "valid"}
 * }</pre>
 *
 * Pairs rather than two labelled lists, because both fitting methods compare the members of a
 * pair and a pair keeps everything but the behaviour equal. {@code split} ({@code train} or
 * {@code valid}) is either on every line or on none; without it the held-out pairs are drawn by
 * {@link #split}. Unknown keys are errors (a misspelt {@code "negtive"} must not pass silently).
 * Every error names the file and the line.
 */
public final class PromptPairs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("positive", "negative", "split");

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

    /** @throws IllegalArgumentException naming {@code file:line} and the field at fault */
    public static Loaded read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        List<PromptPair> out = new ArrayList<>();
        Boolean withSplit = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            String where = file + ":" + (i + 1) + ": ";
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + "malformed JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException(where + "expected a JSON object");
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k))
                    throw new IllegalArgumentException(where + "unknown key '" + k + "' (positive, negative, split)");
            }
            String pos = text(n, "positive", where), neg = text(n, "negative", where);
            boolean has = n.has("split");
            if (withSplit != null && withSplit != has)
                throw new IllegalArgumentException(where + "'split' must be on every line or on none");
            withSplit = has;
            PromptPair.Split split = PromptPair.Split.TRAIN;
            if (has) {
                String s = text(n, "split", where);
                split = switch (s) {
                    case "train" -> PromptPair.Split.TRAIN;
                    case "valid" -> PromptPair.Split.VALID;
                    default -> throw new IllegalArgumentException(where + "split: expected 'train' or 'valid', got '" + s + "'");
                };
            }
            out.add(new PromptPair(pos, neg, split, i + 1));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no prompt pairs");
        return new Loaded(out, withSplit);
    }

    /**
     * Marks {@code round(n · fraction)} pairs (at least one) as held out, chosen by a seeded
     * shuffle so the split is reproducible.
     */
    public static List<PromptPair> split(List<PromptPair> pairs, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1))
            throw new IllegalArgumentException("--valid-fraction: must be in (0, 1), got " + fraction);
        if (pairs.size() < 2) throw new IllegalArgumentException("need at least 2 pairs to hold some out, got " + pairs.size());
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) idx.add(i);
        Collections.shuffle(idx, new Random(seed));
        int valid = (int) Math.max(1, Math.min(pairs.size() - 1, Math.round(pairs.size() * fraction)));
        Set<Integer> held = Set.copyOf(idx.subList(0, valid));
        List<PromptPair> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            PromptPair p = pairs.get(i);
            out.add(new PromptPair(p.positive(), p.negative(),
                    held.contains(i) ? PromptPair.Split.VALID : PromptPair.Split.TRAIN, p.line()));
        }
        return out;
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null) throw new IllegalArgumentException(where + field + ": missing");
        if (!v.isTextual() || v.textValue().isEmpty())
            throw new IllegalArgumentException(where + field + ": expected a non-empty string");
        return v.textValue();
    }
}
