package dev.vane.lab.tokenizer;

/**
 * How the pre-tokenizer cuts runs of digits, and so which numbers BPE can merge into one token.
 * {@link #GROUPS_OF_THREE} is Llama 3's rule ({@code 22392} → {@code 223 92}); {@link #SINGLE} cuts
 * every digit apart, as Llama 1/2 do: a number of n digits is always n tokens from a ten-token
 * alphabet, which a small model copies and counts far more easily (the demo model's pass-key
 * retrieval copied the first three-digit token and guessed the rest).
 */
public enum DigitSplit {
    GROUPS_OF_THREE("\\p{N}{1,3}"),
    SINGLE("\\p{N}");

    private final String pattern;

    DigitSplit(String pattern) {
        this.pattern = pattern;
    }

    /** The alternative of the split regex that matches digits. */
    String pattern() {
        return pattern;
    }

    /** {@code 3} or {@code 1}: the most digits one pre-tokenised piece may hold. */
    public static DigitSplit parse(String s) {
        return switch (s) {
            case "3" -> GROUPS_OF_THREE;
            case "1" -> SINGLE;
            default -> throw new IllegalArgumentException("--digits: must be 3 (groups of up to three, Llama 3) or 1 (single digits), got '" + s + "'");
        };
    }
}
