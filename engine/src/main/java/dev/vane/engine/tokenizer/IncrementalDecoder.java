package dev.vane.engine.tokenizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming detokenizer for one generated sequence: feed token ids one at a time and get back the
 * text that became complete.
 *
 * <p>It uses the prefix/read-offset scheme of HF's {@code TextStreamer} and vLLM's detokenizer:
 * each step decodes only a short window {@code ids[prefixOffset..]} and compares it with the
 * decode of {@code ids[prefixOffset..readOffset)}; the difference is new text, released only
 * when it does not end in U+FFFD (a multi-byte character still split across byte-level tokens).
 * Decoding a window with a little left context (rather than each token alone) keeps decoders
 * that look at neighbours, such as SentencePiece's leading-space rule, right. The cost per token
 * is one or two decodes of a few ids, independent of the sequence length.
 *
 * <p>For a given {@code skipSpecialTokens}, the concatenation of every {@link #push} result and
 * the final {@link #flush()} equals {@code tokenizer.decode(allIds, skipSpecialTokens)}.
 *
 * <p>Not thread-safe: one instance per sequence, used by one thread at a time.
 */
public final class IncrementalDecoder {
    /** Context tokens kept from a prompt, as vLLM does, so the first generated token decodes in context. */
    private static final int CONTEXT_TOKENS = 5;
    /** Compact the id buffer once this many ids lie before the window. */
    private static final int COMPACT_AT = 1024;

    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[64];
    private int size;
    private int prefixOffset;
    private int readOffset;
    /** decode(ids[prefixOffset, readOffset)), cached between steps. */
    private String prefixText = "";

    /**
     * @param tokenizer the tokenizer that produced the ids
     * @param skipSpecialTokens whether special tokens are dropped from the text
     */
    public IncrementalDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this(tokenizer, skipSpecialTokens, new int[0]);
    }

    /**
     * @param tokenizer the tokenizer that produced the ids
     * @param skipSpecialTokens whether special tokens are dropped from the text
     * @param contextIds ids that precede the generated ones (e.g. the prompt); never emitted, the last
     *     few only give the first generated tokens their left context
     */
    public IncrementalDecoder(Tokenizer tokenizer, boolean skipSpecialTokens, int[] contextIds) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.skipSpecialTokens = skipSpecialTokens;
        int n = Math.min(CONTEXT_TOKENS, contextIds.length);
        for (int i = contextIds.length - n; i < contextIds.length; i++) {
            append(contextIds[i]);
        }
        readOffset = size;
        prefixText = tokenizer.decode(ids, 0, size, skipSpecialTokens);
    }

    /**
     * Adds one token id.
     *
     * @return the text completed by this token; empty while a multi-byte character is still incomplete
     */
    public String push(int tokenId) {
        if (tokenId < 0) {
            throw new IllegalArgumentException("Negative token id " + tokenId);
        }
        append(tokenId);
        String text = tokenizer.decode(ids, prefixOffset, size, skipSpecialTokens);
        if (text.length() <= prefixText.length() || text.endsWith("\uFFFD")) {
            return "";
        }
        String delta = text.substring(prefixText.length());
        prefixOffset = readOffset;
        readOffset = size;
        prefixText = tokenizer.decode(ids, prefixOffset, readOffset, skipSpecialTokens);
        compact();
        return delta;
    }

    /**
     * Ends the sequence: returns whatever text is still held back (possibly ending in U+FFFD if the
     * sequence stopped inside a multi-byte character). Further pushes start a new segment.
     */
    public String flush() {
        String text = tokenizer.decode(ids, prefixOffset, size, skipSpecialTokens);
        String delta = text.length() > prefixText.length() ? text.substring(prefixText.length()) : "";
        prefixOffset = size;
        readOffset = size;
        prefixText = "";
        compact();
        return delta;
    }

    /** @return how many ids were pushed but whose text is not yet released */
    public int pendingTokens() {
        return size - readOffset;
    }

    /** @return how many ids the next step decodes (the window from the prefix offset), for tests */
    int windowSize() {
        return size - prefixOffset;
    }

    private void append(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    private void compact() {
        if (prefixOffset >= COMPACT_AT) {
            System.arraycopy(ids, prefixOffset, ids, 0, size - prefixOffset);
            size -= prefixOffset;
            readOffset -= prefixOffset;
            prefixOffset = 0;
        }
    }
}
