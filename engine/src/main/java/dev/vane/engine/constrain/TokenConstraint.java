package dev.vane.engine.constrain;

import java.util.Arrays;

/**
 * The constraint of one sequence: its matcher state over a {@link ConstrainedVocabulary}. Each step,
 * {@link #mask} sets to {@code -Infinity} the logit of every token whose bytes the state does not
 * admit (special tokens always; the end tokens unless the JSON is complete), and {@link #accept}
 * advances the state with the token chosen. Near the end of the sequence's token budget the mask
 * also keeps the document completable within the tokens left ({@link #mask(float[], int)}). Not
 * thread-safe (one sequence, one step at a time).
 */
public final class TokenConstraint {
    /**
     * How many tokens before the fewest bytes that complete the document would no longer fit in
     * the budget the mask starts checking each token's completion.
     */
    static final int CLOSING_MARGIN = 64;

    private final ConstrainedVocabulary vocabulary;
    private final int[] endTokens;
    private MatchState state;
    private boolean terminal;
    private boolean budgetShaped;

    /**
     * @param endTokens the tokens that end the sequence (EOS unless ignored, stop token ids): allowed
     *                  exactly when the JSON is complete
     */
    public TokenConstraint(Grammar grammar, ConstrainedVocabulary vocabulary, int[] endTokens) {
        this.vocabulary = vocabulary;
        this.endTokens = endTokens.clone();
        this.state = grammar.initial();
        this.terminal = state.terminal();
    }

    public MatchState state() {
        return state;
    }

    /** Whether the JSON is complete and nothing may follow it: the sequence is done. */
    public boolean finished() {
        return terminal;
    }

    /** Whether the JSON read so far is complete (the end tokens are allowed). */
    public boolean accepting() {
        return state.accepting();
    }

    /** The tokens allowed now besides the end tokens (shared: do not modify). */
    public long[] allowed() {
        return vocabulary.mask(state);
    }

    /**
     * Sets the logits of the tokens not allowed now to {@code -Infinity}; ids beyond the vocabulary
     * are never allowed. No budget: {@link #mask(float[], int)} with no end.
     */
    public void mask(float[] logits) {
        mask(logits, Integer.MAX_VALUE);
    }

    /**
     * {@link #mask(float[])} for a sequence that may generate {@code remaining} more tokens, this one
     * included. Once that comes within {@value #CLOSING_MARGIN} of the fewest bytes that complete the
     * document ({@link ConstrainedVocabulary#closingBytes}), the tokens after which the document
     * could no longer be completed in the tokens left are masked too, one byte a token counted (a
     * byte-level vocabulary has a token for every byte; where no token is left so, nothing more is
     * masked): a budget that allows the shortest completion at the start thus ends with a complete
     * document. When that removes a token the logits allowed, the budget
     * {@linkplain #budgetShaped shaped} the text.
     */
    public void mask(float[] logits, int remaining) {
        long[] bits = allowed();
        // no search while the budget is beyond any length the search can return
        int need = remaining - CLOSING_MARGIN > Closing.MAX_DEPTH ? Closing.UNKNOWN : vocabulary.closingBytes(state);
        if (need != Closing.UNKNOWN && remaining - need <= CLOSING_MARGIN)
            bits = completable(bits, logits, remaining - 1);
        boolean ends = state.accepting();
        float[] kept = null;
        if (ends) {
            kept = new float[endTokens.length];
            for (int i = 0; i < endTokens.length; i++) kept[i] = endTokens[i] < logits.length ? logits[endTokens[i]] : 0;
        }
        int n = logits.length;
        for (int w = 0; w * 64 < n; w++) {
            long m = w < bits.length ? bits[w] : 0;
            if (m == -1L) continue;
            int base = w << 6;
            int to = Math.min(n, base + 64);
            if (m == 0) {
                Arrays.fill(logits, base, to, Float.NEGATIVE_INFINITY);
                continue;
            }
            for (int t = base; t < to; t++) if ((m & (1L << t)) == 0) logits[t] = Float.NEGATIVE_INFINITY;
        }
        if (ends)
            for (int i = 0; i < endTokens.length; i++) if (endTokens[i] < logits.length) logits[endTokens[i]] = kept[i];
    }

    /** Whether a mask near the end of the budget removed a token the logits allowed: the budget, not the model alone, ended the text. */
    public boolean budgetShaped() {
        return budgetShaped;
    }

    /** {@code bits} less the tokens after which the document needs more than {@code left} bytes. */
    private long[] completable(long[] bits, float[] logits, int left) {
        int[] after = vocabulary.closingBytesAfter(state);
        long[] kept = bits.clone();
        boolean any = false, removed = false;
        for (int t = 0; t < after.length; t++) {
            if (after[t] < 0) continue;
            if (after[t] <= left) {
                any = true;
            } else {
                kept[t >>> 6] &= ~(1L << t);
                removed |= t < logits.length && logits[t] != Float.NEGATIVE_INFINITY;
            }
        }
        if (!any && !state.accepting()) return bits; // no single-byte token on the way (not a byte-level vocabulary)
        budgetShaped |= removed;
        return kept;
    }

    /**
     * Advances with the chosen token; an end token leaves the state as it is.
     *
     * @throws IllegalStateException if the token's bytes are not admitted (it was not allowed)
     */
    public void accept(int token) {
        for (int e : endTokens) if (e == token) return;
        byte[] b = vocabulary.bytes(token);
        MatchState next = b == null ? null : state.next(b);
        if (next == null) throw new IllegalStateException("token " + token + " does not continue the constrained JSON at " + state);
        state = next;
        terminal = state.terminal();
    }
}
