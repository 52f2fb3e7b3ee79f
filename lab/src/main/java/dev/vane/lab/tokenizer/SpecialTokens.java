package dev.vane.lab.tokenizer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The special tokens of a trained tokenizer, with their roles. They take ids 0, 1, 2, ... in the
 * order of {@link #all()}: BOS, EOS, PAD, the chat markers (system, user, assistant, end of turn),
 * then any extras. Each is a single id that encoding never splits and merges never produce.
 *
 * @param bos prepended by the post-processor and by the chat template
 * @param eos end of a document
 * @param pad padding
 * @param system starts a system turn in the chat template
 * @param user starts a user turn
 * @param assistant starts an assistant turn (and is the generation prompt)
 * @param end ends every turn
 * @param extra further special tokens, after the seven above
 */
public record SpecialTokens(String bos, String eos, String pad, String system, String user, String assistant,
        String end, List<String> extra) {

    /** The number of tokens with a role (all but the extras). */
    public static final int ROLES = 7;

    /** Validates: non-empty, distinct, none the vocabulary string of a single byte. */
    public SpecialTokens {
        extra = List.copyOf(Objects.requireNonNull(extra, "extra"));
        List<String> all = new ArrayList<>(List.of(
                Objects.requireNonNull(bos, "bos"), Objects.requireNonNull(eos, "eos"),
                Objects.requireNonNull(pad, "pad"), Objects.requireNonNull(system, "system"),
                Objects.requireNonNull(user, "user"), Objects.requireNonNull(assistant, "assistant"),
                Objects.requireNonNull(end, "end")));
        all.addAll(extra);
        Set<String> seen = new HashSet<>();
        for (String s : all) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("Special tokens must not be empty");
            }
            if (!seen.add(s)) {
                throw new IllegalArgumentException("Duplicate special token: " + s);
            }
            if (ByteLevelAlphabet.isByteToken(s)) {
                throw new IllegalArgumentException("Special token " + s + " clashes with the byte token of the same name");
            }
        }
    }

    /** @return {@code <|bos|>, <|eos|>, <|pad|>, <|system|>, <|user|>, <|assistant|>, <|end|>} */
    public static SpecialTokens defaults() {
        return new SpecialTokens("<|bos|>", "<|eos|>", "<|pad|>", "<|system|>", "<|user|>", "<|assistant|>",
                "<|end|>", List.of());
    }

    /**
     * Takes roles by position: bos, eos, pad, system, user, assistant, end, then extras.
     *
     * @throws IllegalArgumentException if fewer than seven tokens are given, or they are invalid
     */
    public static SpecialTokens of(List<String> tokens) {
        if (tokens.size() < ROLES) {
            throw new IllegalArgumentException("Need at least " + ROLES
                    + " special tokens, in the order bos, eos, pad, system, user, assistant, end (then extras); got "
                    + tokens.size() + ": " + tokens);
        }
        return new SpecialTokens(tokens.get(0), tokens.get(1), tokens.get(2), tokens.get(3), tokens.get(4),
                tokens.get(5), tokens.get(6), tokens.subList(ROLES, tokens.size()));
    }

    /** @return every special token in id order */
    public List<String> all() {
        List<String> all = new ArrayList<>(ROLES + extra.size());
        all.addAll(List.of(bos, eos, pad, system, user, assistant, end));
        all.addAll(extra);
        return List.copyOf(all);
    }

    /** @return the number of special tokens */
    public int size() {
        return ROLES + extra.size();
    }
}
