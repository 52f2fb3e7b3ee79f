package dev.vane.lab.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a byte-level BPE tokenizer, the kind GPT-2, Llama 3 and Qwen use.
 *
 * <ol>
 *   <li>Each text is cut at special tokens and split into words with Llama 3's regex
 *       ({@link PreTokenizer}); equal words are counted once with their number of occurrences.
 *   <li>Each distinct word becomes its UTF-8 bytes, each byte one of the 256 byte tokens; so any
 *       text can be encoded and no unknown token is needed.
 *   <li>Merges are learnt over the distinct words by {@link MergeLearner}: repeatedly the most frequent
 *       adjacent pair becomes a new token, with counts kept up to date incrementally.
 * </ol>
 *
 * <p>Ids: the special tokens first (0, 1, ...), then the 256 byte tokens in byte order, then the merged
 * tokens in the order learnt. The result is fully determined by the multiset of words: the order of
 * the texts does not matter, and the same input gives a byte-identical {@link BpeModel#write output}.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /**
     * Trains on texts.
     *
     * @param texts the corpus, read once, in any order
     * @param config the vocabulary size, minimum pair frequency and special tokens
     * @return the trained model; its vocabulary is smaller than asked if the corpus ran out of pairs
     * @throws TokenizerTrainingException if the texts hold no word (empty, or only special tokens)
     */
    public static BpeModel train(Iterable<String> texts, BpeTrainerConfig config) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(config, "config");
        long start = System.nanoTime();
        List<String> specials = config.specialTokens().all();
        PreTokenizer pre = new PreTokenizer(specials, config.digits());
        Map<String, long[]> counts = new HashMap<>(1 << 16);
        long[] totals = new long[3]; // texts, bytes, words
        for (String text : texts) {
            Objects.requireNonNull(text, "text");
            totals[0]++;
            totals[1] += utf8Length(text);
            pre.split(text, word -> {
                counts.computeIfAbsent(word, k -> new long[1])[0]++;
                totals[2]++;
            });
        }
        if (counts.isEmpty()) {
            throw new TokenizerTrainingException("Empty corpus: " + totals[0]
                    + " text(s) with nothing to train on besides special tokens");
        }

        String[] distinct = counts.keySet().toArray(String[]::new);
        Arrays.sort(distinct); // a fixed word order, for reproducible runs (the result does not depend on it)
        int base = specials.size();
        int[][] symbols = new int[distinct.length][];
        long[] wordCounts = new long[distinct.length];
        for (int w = 0; w < distinct.length; w++) {
            byte[] bytes = distinct[w].getBytes(StandardCharsets.UTF_8);
            int[] s = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                s[i] = base + (bytes[i] & 0xFF);
            }
            symbols[w] = s;
            wordCounts[w] = counts.get(distinct[w])[0];
        }
        counts.clear();

        List<byte[]> tokens = new ArrayList<>(config.vocabSize());
        for (int i = 0; i < base; i++) {
            tokens.add(null);
        }
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        MergeLearner learner = new MergeLearner(symbols, wordCounts, tokens, new HashSet<>(specials));
        learner.learn(config.vocabSize(), config.minFrequency());

        List<String> vocab = new ArrayList<>(tokens.size());
        vocab.addAll(specials);
        for (int id = base; id < tokens.size(); id++) {
            vocab.add(ByteLevelAlphabet.encode(tokens.get(id)));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        TrainingStats stats = new TrainingStats(totals[0], totals[1], totals[2], distinct.length,
                learner.merges().size(), seconds);
        return new BpeModel(config.specialTokens(), config.digits(), vocab, learner.merges(), stats);
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++; // encoded as '?'
            } else {
                n += 3;
            }
        }
        return n;
    }
}
