package dev.vane.lab.tokenizer;

import java.util.Arrays;

/**
 * The adjacent symbol pairs of a training corpus, for {@link MergeLearner}: each distinct pair
 * {@code (left, right)} gets a dense index with its weighted occurrence count and the list of
 * words it occurs in. A primitive open-addressing hash table maps the packed pair
 * {@code left << 32 | right} to its index, so the hot loop neither boxes nor allocates per pair.
 *
 * <p>Word lists are append-only and may hold a word more than once or a word that no longer holds
 * the pair (after a neighbouring merge); readers skip those. Counts change in batches: between
 * {@link #beginBatch()} and the end of a batch, {@link #addDelta} accumulates per-pair changes and
 * records which pairs were touched, so each pair's count is updated and re-queued once per merge.
 */
final class PairIndex {
    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] slots;
    private int mask;

    private int size;
    private int[] left = new int[1024];
    private int[] right = new int[1024];
    private long[] count = new long[1024];
    private int[][] words = new int[1024][];
    private int[] wordCount = new int[1024];

    private long[] delta = new long[1024];
    private int[] deltaStamp = new int[1024];
    private int batch;
    private int[] touched = new int[256];
    private int touchedSize;

    PairIndex() {
        keys = new long[1 << 16];
        Arrays.fill(keys, EMPTY);
        slots = new int[1 << 16];
        mask = keys.length - 1;
    }

    /** @return the number of distinct pairs seen so far */
    int size() {
        return size;
    }

    int left(int pair) {
        return left[pair];
    }

    int right(int pair) {
        return right[pair];
    }

    long count(int pair) {
        return count[pair];
    }

    /** @return the index of the pair, created with count 0 and no words if new */
    int intern(int a, int b) {
        long key = (long) a << 32 | (b & 0xFFFFFFFFL);
        int h = hash(key) & mask;
        while (true) {
            long k = keys[h];
            if (k == key) {
                return slots[h];
            }
            if (k == EMPTY) {
                break;
            }
            h = (h + 1) & mask;
        }
        int pair = size++;
        if (pair == left.length) {
            grow();
        }
        left[pair] = a;
        right[pair] = b;
        keys[h] = key;
        slots[h] = pair;
        if (size * 2 > keys.length) {
            rehash();
        }
        return pair;
    }

    /** Adds occurrences of a pair outside a batch (the initial count). */
    void addCount(int pair, long n) {
        count[pair] += n;
    }

    /** Notes that {@code word} holds the pair (skipped if it was the last word noted). */
    void addWord(int pair, int word) {
        int[] list = words[pair];
        int n = wordCount[pair];
        if (list == null) {
            list = words[pair] = new int[4];
        } else if (n > 0 && list[n - 1] == word) {
            return;
        } else if (n == list.length) {
            list = words[pair] = Arrays.copyOf(list, n * 2);
        }
        list[n] = word;
        wordCount[pair] = n + 1;
    }

    /** @return the words noted for the pair, valid up to {@link #wordCount(int)}; may be null when none */
    int[] words(int pair) {
        return words[pair];
    }

    int wordCount(int pair) {
        return wordCount[pair];
    }

    /** Forgets the word list of a pair that was merged everywhere. */
    void dropWords(int pair) {
        words[pair] = null;
        wordCount[pair] = 0;
    }

    /** Starts accumulating count changes for one merge. */
    void beginBatch() {
        batch++;
        touchedSize = 0;
    }

    /** Adds {@code d} to the pending change of the pair's count in the current batch. */
    void addDelta(int pair, long d) {
        if (deltaStamp[pair] != batch) {
            deltaStamp[pair] = batch;
            delta[pair] = 0;
            if (touchedSize == touched.length) {
                touched = Arrays.copyOf(touched, touchedSize * 2);
            }
            touched[touchedSize++] = pair;
        }
        delta[pair] += d;
    }

    /** @return how many pairs the current batch touched */
    int touchedSize() {
        return touchedSize;
    }

    /** @return the i-th touched pair of the current batch */
    int touched(int i) {
        return touched[i];
    }

    /**
     * Applies the pending change of a touched pair.
     *
     * @return whether the count changed
     */
    boolean applyDelta(int pair) {
        long d = delta[pair];
        delta[pair] = 0;
        count[pair] += d;
        if (count[pair] < 0) {
            throw new IllegalStateException("Negative count for pair " + left[pair] + "," + right[pair]);
        }
        return d != 0;
    }

    private void grow() {
        int n = left.length * 2;
        left = Arrays.copyOf(left, n);
        right = Arrays.copyOf(right, n);
        count = Arrays.copyOf(count, n);
        words = Arrays.copyOf(words, n);
        wordCount = Arrays.copyOf(wordCount, n);
        delta = Arrays.copyOf(delta, n);
        deltaStamp = Arrays.copyOf(deltaStamp, n);
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldSlots = slots;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        slots = new int[keys.length];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            long key = oldKeys[i];
            if (key != EMPTY) {
                int h = hash(key) & mask;
                while (keys[h] != EMPTY) {
                    h = (h + 1) & mask;
                }
                keys[h] = key;
                slots[h] = oldSlots[i];
            }
        }
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
