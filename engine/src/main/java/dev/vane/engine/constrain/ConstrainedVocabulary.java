package dev.vane.engine.constrain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tokenizer's vocabulary as the matcher sees it: each token's bytes in a {@link TokenTrie}, and
 * the masks computed so far. Built once per tokenizer, shared by every constrained sequence and
 * safe for concurrent use (rows sample in parallel).
 *
 * <h2>Masks</h2>
 * The mask of a state is the set of tokens whose bytes the state admits one after the other: a walk
 * of the trie that feeds each node's byte to its parent's state and skips the subtree of a rejected
 * byte. Two caches keep the walks few:
 * <ul>
 *   <li>by whole state: a state met again (the same place in the same schema) costs a lookup;</li>
 *   <li>by top frame: the tokens that stay within the innermost value (a string's characters, a
 *       number's digits) do not depend on what is around it, so its walk runs once per frame, with
 *       the rest of the stack unknown; it records where the frame ends inside a token ("exits"), and
 *       a state made of that frame over some stack adds to the cached bits only the walks of those
 *       exits' subtrees from the state the stack takes once the value is done. The costly walk, a
 *       string's, which admits nearly every token, is thus shared by every string of the same bounds
 *       anywhere in any schema.</li>
 * </ul>
 * Both are bounded (least recently used first out) to about {@value #CACHE_BYTES} bytes of masks each.
 */
public final class ConstrainedVocabulary {
    static final long CACHE_BYTES = 32L << 20;

    private final byte[][] bytes;
    private final TokenTrie trie;
    private final int words;
    private final Lru<MatchState, long[]> masks;
    private final Lru<Frame, Local> locals;
    private final Lru<MatchState, Integer> closings = new Lru<>(1 << 16);
    private final Lru<MatchState, int[]> closingsAfter;

    private record Local(long[] bits, int[] exits, boolean[] refeed) {}

    /**
     * @param tokenBytes per token id its bytes in the text, or null for tokens never allowed
     *                   (special and added tokens, ids without bytes)
     */
    public ConstrainedVocabulary(byte[][] tokenBytes) {
        this.bytes = tokenBytes.clone();
        this.trie = new TokenTrie(bytes);
        this.words = (bytes.length + 63) >>> 6;
        int entries = (int) Math.max(64, CACHE_BYTES / (8L * Math.max(1, words)));
        this.masks = new Lru<>(entries);
        this.locals = new Lru<>(entries);
        this.closingsAfter = new Lru<>((int) Math.max(16, CACHE_BYTES / (4L * Math.max(1, bytes.length))));
    }

    /** Number of token ids (the mask's bit length). */
    public int size() {
        return bytes.length;
    }

    /** A token's bytes, or null if it is never allowed. */
    public byte[] bytes(int token) {
        return token >= 0 && token < bytes.length ? bytes[token] : null;
    }

    /** Trie nodes (distinct token prefixes), for diagnostics. */
    public int trieNodes() {
        return trie.nodes;
    }

    /**
     * The tokens {@code state} admits as a bit set over token ids ({@code bit t} of word {@code t >>> 6});
     * end tokens are not in it. Shared: do not modify.
     */
    public long[] mask(MatchState state) {
        long[] m = masks.get(state);
        if (m != null) return m;
        m = compute(state);
        masks.put(state, m);
        return m;
    }

    /**
     * The fewest bytes that complete the document from {@code state} (0 when it is complete), or
     * {@link Closing#UNKNOWN} past the search's bounds. Cached by state.
     */
    public int closingBytes(MatchState state) {
        Integer n = closings.get(state);
        if (n == null) {
            n = Closing.bytes(state);
            closings.put(state, n);
        }
        return n;
    }

    /**
     * Per token id, {@link #closingBytes} of the state after the token, or −1 for a token the state
     * does not admit: which tokens still leave room to complete the document within a budget.
     * Cached by state. Shared: do not modify.
     */
    public int[] closingBytesAfter(MatchState state) {
        int[] after = closingsAfter.get(state);
        if (after != null) return after;
        int[] out = new int[bytes.length];
        java.util.Arrays.fill(out, -1);
        trie.walk(0, state, null, (node, q) -> {
            for (int k = trie.tokenStart[node]; k < trie.tokenStart[node + 1]; k++) out[trie.tokens[k]] = closingBytes(q);
        });
        closingsAfter.put(state, out);
        return out;
    }

    /** {@link #mask} without the caches, a plain walk (for tests and measurements). */
    long[] walk(MatchState state) {
        long[] bits = new long[words];
        trie.walk(0, state, bits, null);
        return bits;
    }

    private long[] compute(MatchState state) {
        if (!(state instanceof Stack s) || s.top == null) return walk(state);
        Local local = locals.get(s.top);
        if (local == null) {
            long[] bits = new long[words];
            TokenTrie.Exits exits = new TokenTrie.Exits();
            trie.walk(0, Stack.HOLE.push(s.top), bits, exits);
            local = new Local(bits, java.util.Arrays.copyOf(exits.nodes, exits.size), java.util.Arrays.copyOf(exits.refeed, exits.size));
            locals.put(s.top, local);
        }
        long[] bits = local.bits.clone();
        if (local.exits.length > 0) {
            Stack after = s.rest == Stack.EMPTY ? Stack.EMPTY : s.rest.rest.push(s.rest.top.childDone());
            for (int e = 0; e < local.exits.length; e++) {
                int node = local.exits[e];
                MatchState from = local.refeed[e] ? after.next(trie.label[node] & 0xFF) : after;
                if (from == null) continue;
                trie.mark(node, bits);
                trie.walk(node, from, bits, null);
            }
        }
        return bits;
    }

    /** A small synchronized least-recently-used map. */
    private static final class Lru<K, V> {
        private final Map<K, V> map;

        Lru(int capacity) {
            this.map = new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized V get(K k) {
            return map.get(k);
        }

        synchronized void put(K k, V v) {
            map.put(k, v);
        }
    }
}
