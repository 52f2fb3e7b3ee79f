package dev.vane.engine.kernel;

/**
 * A projection matrix {@code [out, in]} held in one of the kernels' packed formats and multiplied
 * across a {@link KernelPool}: f16 ({@link F16Matrix}), 8-bit blocks ({@link Q8Matrix}) or 4-bit
 * blocks ({@link Q4Matrix}, {@link Q4KMatrix}). The
 * decoder sees only this interface; activations are f32 in and out whatever the format. Also
 * serves as an embedding table ({@link #row}).
 */
public sealed interface WeightMatrix permits F16Matrix, Q8Matrix, Q4Matrix, Q4KMatrix {

    int out();

    int in();

    /** Bytes of the packed weights (outside the Java heap, in every format). */
    long bytes();

    /** {@code y = x · Wᵀ} into {@code y[0 .. rows·out)}: {@code x [rows, in] → y [rows, out]}. */
    default void multiply(float[] x, int rows, float[] y, KernelPool pool) {
        multiply(x, rows, y, pool, 0, out());
    }

    /**
     * Only the output columns {@code [from, to)} of {@code y = x · Wᵀ} (the other columns of
     * {@code y} untouched), with the weights of the other rows of {@code W} not read: a fused
     * {@code [q|k|v]} projection gives just its keys and values. {@code from} is a multiple of 16.
     */
    void multiply(float[] x, int rows, float[] y, KernelPool pool, int from, int to);

    /** {@code y = x · Wᵀ} into a new array. */
    default float[] multiply(float[] x, int rows, KernelPool pool) {
        float[] y = new float[rows * out()];
        multiply(x, rows, y, pool);
        return y;
    }

    /** Row {@code r} as f32 into {@code dst[offset .. offset + in)} (exact). */
    void row(int r, float[] dst, int offset);

    /** The products of one output range: rows {@code [from, to)} of every input row. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** Output columns per parallel chunk of a one-row product (64 × 576 f16 = 72 KiB of weights). */
    int CHUNK = 64;
    /** At most this many chunks per product (the LM head: ~500 columns each), bounding the per-chunk claim cost. */
    int MAX_CHUNKS = 256;

    /**
     * Splits the {@code out} output columns of a product into chunks of whole {@code block}-row
     * units that the pool's threads claim, and runs {@code range} on each (on this thread alone
     * below 256 columns, where the hand-off would cost more than it saves). One row: units of one
     * block, {@link #CHUNK} columns per chunk (its loop reads four blocks of a chunk at once).
     * Several rows: units of two blocks (the tiles' width), as many chunks as a multiple of the
     * pool's threads (with 64-column chunks a 576-column product had nine: one thread ran five
     * while the other waited out the fifth, ~5% of a batch-8 step).
     */
    static void split(int out, int block, int rows, KernelPool pool, Range range) {
        split(0, out, block, rows, pool, range);
    }

    /** As {@link #split(int, int, int, KernelPool, Range)} over the output columns {@code [start, end)} ({@code start} a multiple of {@code block}). */
    static void split(int start, int end, int block, int rows, KernelPool pool, Range range) {
        if (start % block != 0 || start < 0 || end < start)
            throw new IllegalArgumentException("output columns [" + start + ", " + end + ") do not start on a block of " + block);
        int out = end - start;
        if (out < 256 || pool.threads() == 1) {
            range.run(start, end);
            return;
        }
        int unit = rows == 1 ? 1 : 2;
        int units = ((out + block - 1) / block + unit - 1) / unit;
        int fit = Math.min(MAX_CHUNKS, units);
        int chunks = rows == 1 ? Math.max(2, Math.min(MAX_CHUNKS, out / CHUNK))
                : fit > pool.threads() ? fit - fit % pool.threads() : fit;
        int width = unit * block;
        pool.run(chunks, c -> {
            int from = Math.min(out, (int) ((long) units * c / chunks) * width);
            int to = Math.min(out, (int) ((long) units * (c + 1) / chunks) * width);
            range.run(start + from, start + to);
        });
    }
}
