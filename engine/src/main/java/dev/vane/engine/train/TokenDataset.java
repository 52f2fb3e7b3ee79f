package dev.vane.engine.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A stream of token ids (one tokenised shard: little-endian int32 per token) sampled as random
 * windows. The windows of step {@code s} depend only on {@code (seed, s)}, so a resumed run sees
 * exactly the batches the uninterrupted run would have.
 */
public final class TokenDataset {

    private final int[] tokens;

    public TokenDataset(int[] tokens) {
        if (tokens.length < 2) throw new IllegalArgumentException("a dataset needs at least 2 tokens");
        this.tokens = tokens;
    }

    public static TokenDataset read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length % 4 != 0) throw new IOException(file + ": length " + bytes.length + " is not a multiple of 4");
        int[] t = new int[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(t);
        return new TokenDataset(t);
    }

    public static void write(int[] tokens, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(tokens.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(tokens);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, b.array());
    }

    public int size() { return tokens.length; }

    /** {@code batch} windows of {@code len + 1} tokens for step {@code step}: inputs then shifted targets. */
    public Batch batch(long seed, long step, int batch, int len) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        int span = Math.min(len, tokens.length - 1);
        int[][] in = new int[batch][span];
        int[][] target = new int[batch][span];
        for (int b = 0; b < batch; b++) {
            int start = rng.nextInt(tokens.length - span);
            System.arraycopy(tokens, start, in[b], 0, span);
            System.arraycopy(tokens, start + 1, target[b], 0, span);
        }
        return new Batch(in, target);
    }

    /** Inputs {@code [B][T]} and next-token targets {@code [B][T]}. */
    public record Batch(int[][] inputs, int[][] targets) {
        public int tokens() { return inputs.length * inputs[0].length; }
    }
}
