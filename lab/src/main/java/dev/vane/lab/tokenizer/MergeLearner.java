package dev.vane.lab.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns BPE merges over a set of distinct words, each a sequence of token ids with a corpus count.
 *
 * <p><b>Algorithm.</b> Every adjacent pair of symbols is indexed once ({@link PairIndex}) with its
 * count (the sum of the counts of the words it occurs in, overlapping occurrences included) and
 * the words it occurs in. A priority queue holds (count, pair) entries ordered by count, highest
 * first, ties broken by the smaller left id, then the smaller right id: the order is total, so the
 * result depends only on the word counts, not on iteration order. The queue is lazy: an entry is
 * pushed whenever a pair's count changes, and an entry whose count is no longer the pair's count is
 * dropped when popped; so the first entry that is current is the best pair. Each step pops the
 * best pair {@code (a, b)}, creates the token {@code ab} (or reuses the id of an existing token with
 * the same bytes, as Hugging Face's trainer does), and rewrites only the words listed for the pair,
 * replacing each non-overlapping occurrence from left to right. For each rewritten word the pair
 * counts of the old and new symbol sequences are subtracted and added (times the word count); the
 * net changes per pair are applied once per step, pairs holding the new token note the word, and
 * changed pairs are re-queued. A step therefore costs time in proportion to the length of the
 * words that hold the pair, not to the corpus.
 *
 * <p>Training stops at the target vocabulary size, when no pair is left, or when the best pair occurs
 * fewer than {@code minFrequency} times. A merge whose token would spell a special token is skipped.
 * If the same pair shows up again after it was merged (possible only when a later merge reuses an
 * existing token's id), it is applied again without a second merge rule, as encoding would.
 */
final class MergeLearner {
    private record Candidate(long count, int left, int right, int pair) {}

    private static final int BLOCKED = -2;
    private static final int UNMERGED = -1;

    private final int[][] symbols;
    private final int[] lengths;
    private final long[] wordCounts;
    private final int[] wordStamp;
    private int stamp;

    private final List<byte[]> tokens;
    private final Map<String, Integer> tokenIds = new HashMap<>();
    private final Set<String> reserved;
    private final PairIndex pairs = new PairIndex();
    private int[] mergedInto = new int[0];
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>(MergeLearner::compare);
    private final List<BpeModel.Merge> merges = new ArrayList<>();

    /**
     * @param symbols per word its token ids; rewritten in place
     * @param wordCounts per word its number of occurrences in the corpus
     * @param tokens the bytes of each initial token id, null for special tokens; merged tokens are appended
     * @param reserved vocabulary strings no merge may produce (the special tokens)
     */
    MergeLearner(int[][] symbols, long[] wordCounts, List<byte[]> tokens, Set<String> reserved) {
        this.symbols = symbols;
        this.lengths = new int[symbols.length];
        this.wordCounts = wordCounts;
        this.wordStamp = new int[symbols.length];
        this.tokens = tokens;
        this.reserved = reserved;
        for (int id = 0; id < tokens.size(); id++) {
            if (tokens.get(id) != null) {
                tokenIds.put(key(tokens.get(id)), id);
            }
        }
        for (int w = 0; w < symbols.length; w++) {
            int[] s = symbols[w];
            lengths[w] = s.length;
            for (int i = 0; i + 1 < s.length; i++) {
                int p = pairs.intern(s[i], s[i + 1]);
                pairs.addCount(p, wordCounts[w]);
                pairs.addWord(p, w);
            }
        }
        for (int p = 0; p < pairs.size(); p++) {
            queue.add(new Candidate(pairs.count(p), pairs.left(p), pairs.right(p), p));
        }
        ensureMergedInto();
    }

    /** @return the merge rules learnt, in order (the rank of a rule is its position) */
    List<BpeModel.Merge> merges() {
        return merges;
    }

    /**
     * Merges until the vocabulary (special, byte and merged tokens) holds {@code vocabSize} tokens or the
     * pairs run out or fall below {@code minFrequency}.
     */
    void learn(int vocabSize, int minFrequency) {
        while (tokens.size() < vocabSize) {
            Candidate c = queue.poll();
            if (c == null) {
                return;
            }
            int p = c.pair();
            long n = pairs.count(p);
            if (c.count() != n || n == 0 || mergedInto[p] == BLOCKED) {
                continue; // stale entry
            }
            if (n < minFrequency) {
                return;
            }
            if (mergedInto[p] != UNMERGED) {
                apply(p, mergedInto[p]); // reappeared after a merge that reused an id
                continue;
            }
            byte[] a = tokens.get(c.left());
            byte[] b = tokens.get(c.right());
            byte[] ab = new byte[a.length + b.length];
            System.arraycopy(a, 0, ab, 0, a.length);
            System.arraycopy(b, 0, ab, a.length, b.length);
            if (reserved.contains(ByteLevelAlphabet.encode(ab))) {
                mergedInto[p] = BLOCKED;
                continue;
            }
            String k = key(ab);
            Integer existing = tokenIds.get(k);
            int id;
            if (existing != null) {
                id = existing;
            } else {
                id = tokens.size();
                tokens.add(ab);
                tokenIds.put(k, id);
            }
            mergedInto[p] = id;
            merges.add(new BpeModel.Merge(c.left(), c.right(), id));
            apply(p, id);
        }
    }

    /** Replaces pair {@code p} with token {@code id} in every word that holds it, and updates the counts. */
    private void apply(int p, int id) {
        int a = pairs.left(p);
        int b = pairs.right(p);
        int[] list = pairs.words(p);
        int listSize = pairs.wordCount(p);
        pairs.dropWords(p);
        stamp++;
        pairs.beginBatch();
        for (int i = 0; i < listSize; i++) {
            int w = list[i];
            if (wordStamp[w] != stamp) {
                wordStamp[w] = stamp;
                mergeWord(w, a, b, id);
            }
        }
        ensureMergedInto();
        for (int i = 0, n = pairs.touchedSize(); i < n; i++) {
            int q = pairs.touched(i);
            if (pairs.applyDelta(q) && pairs.count(q) > 0 && mergedInto[q] != BLOCKED) {
                queue.add(new Candidate(pairs.count(q), pairs.left(q), pairs.right(q), q));
            }
        }
    }

    private void mergeWord(int w, int a, int b, int id) {
        int[] s = symbols[w];
        int len = lengths[w];
        boolean found = false;
        for (int i = 0; i + 1 < len; i++) {
            if (s[i] == a && s[i + 1] == b) {
                found = true;
                break;
            }
        }
        if (!found) {
            return; // a stale list entry: an earlier merge consumed the pair here
        }
        long n = wordCounts[w];
        for (int i = 0; i + 1 < len; i++) {
            pairs.addDelta(pairs.intern(s[i], s[i + 1]), -n);
        }
        int j = 0;
        for (int i = 0; i < len;) {
            if (i + 1 < len && s[i] == a && s[i + 1] == b) {
                s[j++] = id;
                i += 2;
            } else {
                s[j++] = s[i++];
            }
        }
        lengths[w] = j;
        for (int i = 0; i + 1 < j; i++) {
            int q = pairs.intern(s[i], s[i + 1]);
            pairs.addDelta(q, n);
            if (s[i] == id || s[i + 1] == id) {
                pairs.addWord(q, w);
            }
        }
    }

    private void ensureMergedInto() {
        if (mergedInto.length < pairs.size()) {
            int old = mergedInto.length;
            mergedInto = Arrays.copyOf(mergedInto, Math.max(pairs.size(), old * 2));
            Arrays.fill(mergedInto, old, mergedInto.length, UNMERGED);
        }
    }

    private static int compare(Candidate x, Candidate y) {
        int c = Long.compare(y.count(), x.count());
        if (c != 0) {
            return c;
        }
        c = Integer.compare(x.left(), y.left());
        return c != 0 ? c : Integer.compare(x.right(), y.right());
    }

    /** A map key holding the bytes exactly, one char per byte. */
    private static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
