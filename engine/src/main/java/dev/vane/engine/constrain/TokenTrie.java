package dev.vane.engine.constrain;

import java.util.Arrays;

/**
 * The vocabulary's token bytes as a trie laid out in preorder: node {@code i}'s subtree is
 * {@code [i, end[i])}, so a walk that rejects a node's byte skips its whole subtree in one jump.
 * Node 0 is the root (no byte). Each node lists the tokens whose bytes end there. Immutable.
 */
final class TokenTrie {
    final byte[] label;
    final int[] depth;
    final int[] end;
    /** Tokens of node {@code i}: {@code tokens[tokenStart[i], tokenStart[i + 1])}. */
    final int[] tokenStart;
    final int[] tokens;
    final int maxDepth;
    final int nodes;

    /** @param bytes per token id its bytes, or null (never allowed: special tokens, empty tokens) */
    TokenTrie(byte[][] bytes) {
        Integer[] order = java.util.stream.IntStream.range(0, bytes.length)
                .filter(i -> bytes[i] != null && bytes[i].length > 0).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        long total = 1;
        for (int id : order) total += bytes[id].length;
        int cap = (int) Math.min(total, Integer.MAX_VALUE - 8);
        byte[] lab = new byte[cap];
        int[] dep = new int[cap];
        int[] en = new int[cap];
        int[] toks = new int[order.length];
        int[] nodeOf = new int[order.length];
        int n = 1;
        int[] path = new int[1];   // path[d]: the node at depth d on the current branch
        int pathLength = 1;        // nodes on the path, root included
        byte[] prev = new byte[0];
        int t = 0;
        for (int id : order) {
            byte[] w = bytes[id];
            int common = 0;
            while (common < prev.length && common < w.length && prev[common] == w[common]) common++;
            // close the nodes of the previous branch below the common prefix
            for (int d = pathLength - 1; d > common; d--) en[path[d]] = n;
            pathLength = common + 1;
            if (path.length < w.length + 1) path = Arrays.copyOf(path, Math.max(w.length + 1, path.length * 2));
            for (int d = common; d < w.length; d++) {
                lab[n] = w[d];
                dep[n] = d + 1;
                path[d + 1] = n++;
            }
            pathLength = w.length + 1;
            nodeOf[t] = path[w.length];
            toks[t++] = id;
            prev = w;
        }
        for (int d = pathLength - 1; d >= 1; d--) en[path[d]] = n;
        en[0] = n;
        this.nodes = n;
        this.label = Arrays.copyOf(lab, n);
        this.depth = Arrays.copyOf(dep, n);
        this.end = Arrays.copyOf(en, n);
        // token ranges: a node's tokens are those whose bytes end at it; recompute by walking the sorted tokens
        int[] start = new int[n + 1];
        for (int k = 0; k < toks.length; k++) start[nodeOf[k] + 1]++;
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        int[] fill = Arrays.copyOf(start, n);
        int[] sortedTokens = new int[toks.length];
        for (int k = 0; k < toks.length; k++) sortedTokens[fill[nodeOf[k]]++] = toks[k];
        this.tokenStart = start;
        this.tokens = sortedTokens;
        int md = 0;
        for (int i = 0; i < n; i++) md = Math.max(md, depth[i]);
        this.maxDepth = md;
    }

    /** Where a walk records the exits of a frame read on its own (see {@link ConstrainedVocabulary}). */
    static final class Exits {
        int[] nodes = new int[64];
        boolean[] refeed = new boolean[64];
        int size;

        void add(int node, boolean isRefeed) {
            if (size == nodes.length) {
                nodes = Arrays.copyOf(nodes, size * 2);
                refeed = Arrays.copyOf(refeed, size * 2);
            }
            nodes[size] = node;
            refeed[size++] = isRefeed;
        }
    }

    /**
     * Sets in {@code bits} every token below node {@code from} (exclusive) whose remaining bytes
     * {@code state} (the state at {@code from}) admits. With {@code exits}, configurations that leave
     * the frame above {@link Stack#HOLE} are recorded there instead of followed.
     */
    void walk(int from, MatchState state, long[] bits, Exits exits) {
        walk(from, state, exits, (node, q) -> mark(node, bits));
    }

    /** What a walk does at each node whose bytes the state admits, with the state after them. */
    interface Visitor {
        void reached(int node, MatchState after);
    }

    /** {@link #walk(int, MatchState, long[], Exits)} calling {@code visitor} where it would mark a node's tokens. */
    void walk(int from, MatchState state, Exits exits, Visitor visitor) {
        MatchState[] at = new MatchState[maxDepth + 1];
        at[depth[from]] = state;
        Sink sink = new Sink();
        int stop = end[from];
        int i = from + 1;
        while (i < stop) {
            MatchState parent = at[depth[i] - 1];
            int b = label[i] & 0xFF;
            MatchState q = parent instanceof Stack s ? s.next(b, sink) : ((Alternatives) parent).next(b, sink);
            if (q != null && exits != null) q = strip(q, i, exits);
            if (q == null) {
                i = end[i];
                continue;
            }
            at[depth[i]] = q;
            visitor.reached(i, q);
            i++;
        }
    }

    /** Records the exits in {@code q} at node {@code i}; the configurations left, or null. */
    private static MatchState strip(MatchState q, int i, Exits exits) {
        if (q instanceof Stack s) {
            if (!s.isExit()) return q;
            exits.add(i, s == Stack.EXIT_REFEED);
            return null;
        }
        Alternatives a = (Alternatives) q;
        boolean any = false;
        for (Stack s : a.stacks) any |= s.isExit();
        if (!any) return q;
        Sink left = new Sink();
        for (Stack s : a.stacks) {
            if (s.isExit()) exits.add(i, s == Stack.EXIT_REFEED);
            else left.add(s);
        }
        return left.result();
    }

    void mark(int node, long[] bits) {
        for (int k = tokenStart[node]; k < tokenStart[node + 1]; k++) {
            int t = tokens[k];
            bits[t >>> 6] |= 1L << t;
        }
    }
}
