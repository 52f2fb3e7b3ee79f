package dev.vane.lab.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A trained byte-level BPE tokenizer: the vocabulary (special tokens, 256 byte tokens, merged tokens)
 * and the ordered merge rules, writable as a Hugging Face tokenizer directory.
 *
 * <p>Immutable.
 */
public final class BpeModel {
    /**
     * One merge rule: adjacent tokens {@code left} and {@code right} become {@code result}.
     *
     * @param left the id of the left token
     * @param right the id of the right token
     * @param result the id of the merged token
     */
    public record Merge(int left, int right, int result) {}

    /** The file names {@link #write} creates. */
    public static final String TOKENIZER_JSON = "tokenizer.json";

    /** The config file {@link #write} creates. */
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private final SpecialTokens specialTokens;
    private final DigitSplit digits;
    private final List<String> vocab;
    private final List<Merge> merges;
    private final TrainingStats stats;

    BpeModel(SpecialTokens specialTokens, DigitSplit digits, List<String> vocab, List<Merge> merges, TrainingStats stats) {
        this.digits = digits;
        this.specialTokens = Objects.requireNonNull(specialTokens, "specialTokens");
        this.vocab = List.copyOf(vocab);
        this.merges = List.copyOf(merges);
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /** @return the special tokens, ids 0 to {@code specialTokens().size() - 1} */
    /** @return how the pre-tokenizer cut digits while training (tokenizer.json repeats it) */
    public DigitSplit digits() {
        return digits;
    }

    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    /** @return the number of tokens (special, byte and merged) */
    public int vocabSize() {
        return vocab.size();
    }

    /**
     * @return the vocabulary string of a token id: a special token as is, other tokens in the GPT-2
     *     byte alphabet ({@link ByteLevelAlphabet}), e.g. {@code "Ġthe"}
     */
    public String token(int id) {
        return vocab.get(id);
    }

    /** @return every vocabulary string, by id */
    public List<String> vocab() {
        return vocab;
    }

    /** @return the merge rules, highest priority first */
    public List<Merge> merges() {
        return merges;
    }

    /** @return what the training run saw and did */
    public TrainingStats stats() {
        return stats;
    }

    /** @return the contents of tokenizer.json */
    public String tokenizerJson() {
        return HfTokenizerFiles.tokenizerJson(this);
    }

    /** @return the contents of tokenizer_config.json, with the chat template */
    public String tokenizerConfigJson() {
        return HfTokenizerFiles.tokenizerConfigJson(specialTokens);
    }

    /**
     * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into a directory (created if
     * missing; files of the same name are replaced), loadable with
     * {@link dev.vane.engine.tokenizer.Tokenizer#load} and Hugging Face's {@code AutoTokenizer}.
     *
     * @throws TokenizerTrainingException if the files cannot be written
     */
    public void write(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(TOKENIZER_JSON), tokenizerJson(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(TOKENIZER_CONFIG_JSON), tokenizerConfigJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TokenizerTrainingException("Cannot write the tokenizer to " + dir + ": " + e, e);
        }
    }
}
