package dev.vane.lab.data;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Everything that shapes the demo corpus besides the Brown files. The synthetic parts are sized
 * by share of the final mixture: Brown's training split is used whole, and a part with share
 * {@code s} gets {@code s / brownShare} times as many characters as Brown has in that split (the
 * same for valid and test).
 *
 * @param seed             master seed; every part derives its own stream from it
 * @param brownSplit       held-out fractions of Brown documents (stratified by genre)
 * @param taskSplit        held-out fractions of each in-context task's inputs
 * @param templateSplit    held-out fractions of each chat family's templates
 * @param objectSplit      held-out fractions of the objects of the training chat templates
 * @param brownShare       share of Brown text in each mixture
 * @param iclShare         share of in-context-learning episodes
 * @param chatShare        share of refusal / compliance dialogues
 * @param passKeyShare     share of pass-key documents
 * @param vocabulary       number of most frequent lower-case Brown words used by the word tasks
 * @param nouns            number of most frequent singular nouns tried for the plural task
 * @param minShots         fewest demonstrations in an episode
 * @param maxShots         most demonstrations in an episode
 * @param passKeyMinTokens shortest pass-key document, in tokens of ~4 characters
 * @param passKeyMaxTokens longest pass-key document (keep it within the training context)
 * @param separator        written between the documents of a mixture
 * @param wordNet          optional WordNet {@code dict/} folder whose adjective antonyms extend the built-in list
 * @param chatExtras       additions to the chat part's training text ({@link ChatExtra}); none by default
 */
public record DemoDataConfig(long seed, Split.Ratios brownSplit, Split.Ratios taskSplit, Split.Ratios templateSplit,
                             Split.Ratios objectSplit, double brownShare, double iclShare, double chatShare,
                             double passKeyShare, int vocabulary, int nouns, int minShots, int maxShots,
                             int passKeyMinTokens, int passKeyMaxTokens, String separator, Optional<Path> wordNet,
                             Set<ChatExtra> chatExtras) {

    public static final long DEFAULT_SEED = 20240601L;

    public DemoDataConfig {
        for (double s : new double[] {brownShare, iclShare, chatShare, passKeyShare})
            if (!(s >= 0)) throw new IllegalArgumentException("mixture shares must be >= 0");
        if (!(brownShare > 0)) throw new IllegalArgumentException("brownShare must be > 0: the other parts are sized relative to Brown");
        if (Math.abs(brownShare + iclShare + chatShare + passKeyShare - 1) > 1e-6)
            throw new IllegalArgumentException("mixture shares must add up to 1, got "
                    + (brownShare + iclShare + chatShare + passKeyShare));
        if (vocabulary < 10) throw new IllegalArgumentException("vocabulary must be >= 10, got " + vocabulary);
        if (nouns < 10) throw new IllegalArgumentException("nouns must be >= 10, got " + nouns);
        if (minShots < 0 || maxShots < minShots) throw new IllegalArgumentException("need 0 <= minShots <= maxShots, got " + minShots + ", " + maxShots);
        if (passKeyMinTokens < 32 || passKeyMaxTokens < passKeyMinTokens)
            throw new IllegalArgumentException("need 32 <= passKeyMinTokens <= passKeyMaxTokens, got " + passKeyMinTokens + ", " + passKeyMaxTokens);
        if (separator.isEmpty()) throw new IllegalArgumentException("separator must not be empty");
        chatExtras = chatExtras.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(chatExtras));
    }

    /**
     * Text between documents in train/valid/test.txt: a line no document contains, which
     * {@code train lm --doc-separator} splits on (documents themselves contain blank lines).
     */
    public static final String DOCUMENT_SEPARATOR = "\n<|doc|>\n";

    /** The defaults: ~3M tokens (at ~4 characters a token) over the full Brown corpus, 40% of it Brown. */
    public static DemoDataConfig defaults() {
        return new DemoDataConfig(DEFAULT_SEED, Split.Ratios.DEFAULT, Split.Ratios.DEFAULT, new Split.Ratios(0.15, 0.15),
                new Split.Ratios(0.15, 0.15), 0.4, 0.3, 0.15, 0.15, 2000, 2000, 1, 10, 64, 224, DOCUMENT_SEPARATOR, Optional.empty(), Set.of());
    }

    public DemoDataConfig withSeed(long s) {
        return new DemoDataConfig(s, brownSplit, taskSplit, templateSplit, objectSplit, brownShare, iclShare, chatShare,
                passKeyShare, vocabulary, nouns, minShots, maxShots, passKeyMinTokens, passKeyMaxTokens, separator, wordNet, chatExtras);
    }

    public DemoDataConfig withShares(double brown, double icl, double chat, double passKey) {
        return new DemoDataConfig(seed, brownSplit, taskSplit, templateSplit, objectSplit, brown, icl, chat, passKey,
                vocabulary, nouns, minShots, maxShots, passKeyMinTokens, passKeyMaxTokens, separator, wordNet, chatExtras);
    }

    public DemoDataConfig withVocabulary(int words, int nounCount) {
        return new DemoDataConfig(seed, brownSplit, taskSplit, templateSplit, objectSplit, brownShare, iclShare, chatShare,
                passKeyShare, words, nounCount, minShots, maxShots, passKeyMinTokens, passKeyMaxTokens, separator, wordNet, chatExtras);
    }

    public DemoDataConfig withShots(int min, int max) {
        return new DemoDataConfig(seed, brownSplit, taskSplit, templateSplit, objectSplit, brownShare, iclShare, chatShare,
                passKeyShare, vocabulary, nouns, min, max, passKeyMinTokens, passKeyMaxTokens, separator, wordNet, chatExtras);
    }

    public DemoDataConfig withPassKeyTokens(int min, int max) {
        return new DemoDataConfig(seed, brownSplit, taskSplit, templateSplit, objectSplit, brownShare, iclShare, chatShare,
                passKeyShare, vocabulary, nouns, minShots, maxShots, min, max, separator, wordNet, chatExtras);
    }

    public DemoDataConfig withSeparator(String s) {
        return new DemoDataConfig(seed, brownSplit, taskSplit, templateSplit, objectSplit, brownShare, iclShare, chatShare,
                passKeyShare, vocabulary, nouns, minShots, maxShots, passKeyMinTokens, passKeyMaxTokens, s, wordNet, chatExtras);
    }

    public DemoDataConfig withWordNet(Path dictDir) {
        return new DemoDataConfig(seed, brownSplit, taskSplit, templateSplit, objectSplit, brownShare, iclShare, chatShare,
                passKeyShare, vocabulary, nouns, minShots, maxShots, passKeyMinTokens, passKeyMaxTokens, separator, Optional.of(dictDir), chatExtras);
    }

    public DemoDataConfig withChatExtras(Set<ChatExtra> extras) {
        return new DemoDataConfig(seed, brownSplit, taskSplit, templateSplit, objectSplit, brownShare, iclShare, chatShare,
                passKeyShare, vocabulary, nouns, minShots, maxShots, passKeyMinTokens, passKeyMaxTokens, separator, wordNet, extras);
    }
}
