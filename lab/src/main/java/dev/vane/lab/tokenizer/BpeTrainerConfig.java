package dev.vane.lab.tokenizer;

import java.util.Objects;

/**
 * Settings of {@link BpeTrainer}.
 *
 * @param vocabSize the size of the vocabulary to learn, special tokens and the 256 byte tokens included;
 *     training stops earlier if the corpus runs out of pairs seen at least {@code minFrequency} times
 * @param minFrequency the least number of occurrences in the corpus for a pair to be merged (at least 1)
 * @param specialTokens the special tokens, ids 0.. before the byte tokens
 * @param digits how the pre-tokenizer cuts runs of digits (written into tokenizer.json too)
 */
public record BpeTrainerConfig(int vocabSize, int minFrequency, SpecialTokens specialTokens, DigitSplit digits) {
    /** The default {@code minFrequency}: a pair seen once is noise rather than a pattern. */
    public static final int DEFAULT_MIN_FREQUENCY = 2;

    /** Validates the sizes. */
    public BpeTrainerConfig {
        Objects.requireNonNull(specialTokens, "specialTokens");
        Objects.requireNonNull(digits, "digits");
        int least = specialTokens.size() + 256;
        if (vocabSize < least) {
            throw new IllegalArgumentException("Vocabulary size " + vocabSize + " is below the " + least
                    + " tokens it must hold: " + specialTokens.size() + " special tokens plus 256 byte tokens");
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("Minimum frequency must be at least 1, got " + minFrequency);
        }
    }

    /** Llama 3's digit groups. */
    public BpeTrainerConfig(int vocabSize, int minFrequency, SpecialTokens specialTokens) {
        this(vocabSize, minFrequency, specialTokens, DigitSplit.GROUPS_OF_THREE);
    }

    /** @return a config with the default special tokens and minimum frequency */
    public static BpeTrainerConfig of(int vocabSize) {
        return new BpeTrainerConfig(vocabSize, DEFAULT_MIN_FREQUENCY, SpecialTokens.defaults());
    }
}
