package dev.vane.lab.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A stream of token ids (one tokenised shard: little-endian int32 per token) sampled as random
 * windows. The windows of step {@code s} depend only on {@code (seed, s)}, so a resumed run sees
 * exactly the batches the uninterrupted run would have.
 *
 * <p>With a document-start token (the tokenizer's BOS, which {@code train lm} puts before every
 * document) a window drawn within the first {@code len} tokens of a document moves back to that
 * document's start, so short documents (dialogues, episodes, pass-key texts) are always seen
 * whole from their BOS, as prompts are at inference, while long ones (Brown texts) are also read
 * from inside; a window longer than its document runs on into the next one (packing). Without
 * one, windows start anywhere.
 */
public final class TokenDataset {

    private final int[] tokens;
    /** Document start positions, ascending (empty: none marked). */
    private final int[] starts;

    public TokenDataset(int[] tokens) {
        this(tokens, OptionalInt.empty());
    }

    /** A dataset whose documents begin with {@code documentStart} (when present and found in the stream). */
    public TokenDataset(int[] tokens, OptionalInt documentStart) {
        if (tokens.length < 2) throw new IllegalArgumentException("a dataset needs at least 2 tokens");
        this.tokens = tokens;
        this.starts = documentStart.isPresent()
                ? IntStream.range(0, tokens.length).filter(i -> tokens[i] == documentStart.getAsInt()).toArray()
                : new int[0];
    }

    /** Number of documents found (0 when windows start anywhere). */
    public int documents() { return starts.length; }

    public static TokenDataset read(Path file, OptionalInt documentStart) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length % 4 != 0) throw new IOException(file + ": length " + bytes.length + " is not a multiple of 4");
        int[] t = new int[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(t);
        return new TokenDataset(t, documentStart);
    }

    public static void write(int[] tokens, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(tokens.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(tokens);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, b.array());
    }

    public int size() { return tokens.length; }

    /** A copy of the token stream, documents in order. */
    public int[] ids() { return tokens.clone(); }

    /** {@code batch} windows of {@code len + 1} tokens for step {@code step}: inputs then shifted targets. */
    public Batch batch(long seed, long step, int batch, int len) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        int span = Math.min(len, tokens.length - 1);
        int[][] in = new int[batch][span];
        int[][] target = new int[batch][span];
        for (int b = 0; b < batch; b++) {
            int start = alignToDocument(rng.nextInt(tokens.length - span), span);
            System.arraycopy(tokens, start, in[b], 0, span);
            System.arraycopy(tokens, start + 1, target[b], 0, span);
        }
        return new Batch(in, target);
    }

    /** {@code pos}, or the start of its document when that lies less than {@code span} tokens before it. */
    private int alignToDocument(int pos, int span) {
        int k = Arrays.binarySearch(starts, pos);
        if (k >= 0) return pos;
        int before = -k - 2; // index of the last start < pos
        return before >= 0 && pos - starts[before] < span ? starts[before] : pos;
    }

    /** Inputs {@code [B][T]} and next-token targets {@code [B][T]}. */
    public record Batch(int[][] inputs, int[][] targets) {
        public int tokens() { return inputs.length * inputs[0].length; }
    }
}
