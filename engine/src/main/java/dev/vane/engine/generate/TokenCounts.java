package dev.vane.engine.generate;

import java.util.Arrays;

/**
 * Incrementally maintained token statistics of one sequence, as needed by the penalties in
 * {@link LogitsProcessor}: for every distinct token, how often it occurs among the <em>generated</em>
 * tokens and whether it occurs in the <em>prompt</em>.
 *
 * <p>Updated in O(1) amortised per {@link #append appended} token, so that a decode step never
 * recounts the sequence. Memory is proportional to the number of distinct tokens seen, not to the
 * vocabulary size. Backed by an open-addressing hash table (linear probing, load factor at most 1/2).
 *
 * <p>Not thread-safe; one instance per sequence.
 */
public final class TokenCounts {
    private static final int EMPTY = -1;
    private static final int MIN_CAPACITY = 16;

    /** Token id per slot, {@link #EMPTY} for a free slot. */
    private int[] keys;
    /** Per slot: {@code generatedCount << 1 | inPromptBit}. */
    private int[] values;
    private int size;
    private int distinctGenerated;
    private int generatedLength;

    /** Counts with an empty prompt. */
    public TokenCounts() {
        this(new int[0]);
    }

    /**
     * Counts starting from {@code promptTokens} (only their presence is recorded, for the repetition
     * penalty) and no generated tokens.
     *
     * @throws IllegalArgumentException if a token id is negative
     */
    public TokenCounts(int[] promptTokens) {
        // Distinct tokens are usually far fewer than prompt tokens: start modestly and grow on demand.
        int capacity = MIN_CAPACITY;
        while (capacity < 2 * Math.min(promptTokens.length, 2048)) {
            capacity <<= 1;
        }
        keys = new int[capacity];
        values = new int[capacity];
        Arrays.fill(keys, EMPTY);
        for (int token : promptTokens) {
            int slot = findOrInsert(checkToken(token));
            values[slot] |= 1;
        }
    }

    /** Records one generated token. */
    public void append(int token) {
        int slot = findOrInsert(checkToken(token));
        int v = values[slot];
        if (v >>> 1 == 0) {
            distinctGenerated++;
        }
        values[slot] = v + 2;
        generatedLength++;
    }

    /** How many times {@code token} occurs among the generated tokens. */
    public int count(int token) {
        int slot = find(token);
        return slot < 0 ? 0 : values[slot] >>> 1;
    }

    /** Whether {@code token} occurs in the prompt (as given to the constructor). */
    public boolean inPrompt(int token) {
        int slot = find(token);
        return slot >= 0 && (values[slot] & 1) != 0;
    }

    /** Whether {@code token} occurs in the prompt or among the generated tokens. */
    public boolean seen(int token) {
        return find(token) >= 0;
    }

    /** Number of generated tokens appended so far. */
    public int generatedLength() {
        return generatedLength;
    }

    /** Number of distinct tokens among the generated tokens. */
    public int distinctGenerated() {
        return distinctGenerated;
    }

    /** Number of distinct tokens in the prompt or among the generated tokens. */
    public int distinctSeen() {
        return size;
    }

    // ---- package-private slot iteration for LogitsProcessor (no allocation, no boxing) ----

    int slotCount() {
        return keys.length;
    }

    /** Token id in {@code slot}, or a negative number for a free slot. */
    int tokenAt(int slot) {
        return keys[slot];
    }

    int generatedCountAt(int slot) {
        return values[slot] >>> 1;
    }

    // ---- hash table ----

    private static int checkToken(int token) {
        if (token < 0) {
            throw new IllegalArgumentException("token ids must be >= 0, got " + token);
        }
        return token;
    }

    private static int hash(int token) {
        int h = token * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private int find(int token) {
        if (token < 0) {
            return -1;
        }
        int mask = keys.length - 1;
        for (int slot = hash(token) & mask; ; slot = (slot + 1) & mask) {
            int k = keys[slot];
            if (k == token) {
                return slot;
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    private int findOrInsert(int token) {
        int mask = keys.length - 1;
        int slot = hash(token) & mask;
        while (true) {
            int k = keys[slot];
            if (k == token) {
                return slot;
            }
            if (k == EMPTY) {
                break;
            }
            slot = (slot + 1) & mask;
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
            return findOrInsert(token);
        }
        keys[slot] = token;
        values[slot] = 0;
        size++;
        return slot;
    }

    private void grow() {
        int[] oldKeys = keys;
        int[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        int mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            int k = oldKeys[i];
            if (k != EMPTY) {
                int slot = hash(k) & mask;
                while (keys[slot] != EMPTY) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = k;
                values[slot] = oldValues[i];
            }
        }
    }
}
