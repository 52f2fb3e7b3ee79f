package dev.vane.engine.kernel;

/**
 * An f16 weight matrix {@code [out, in]} on the Java heap, multiplied by {@link F16Gemv} across
 * a {@link KernelPool}. Also serves as an embedding table ({@link #row}).
 */
public final class F16Matrix {

    /** Output columns per parallel chunk of a one-row product (64 × 576 f16 = 72 KiB of weights). */
    static final int CHUNK = 64;
    /** At most this many chunks per product (the LM head: ~500 columns each), bounding the per-chunk claim cost. */
    static final int MAX_CHUNKS = 256;

    private final F16Gemv.Packed data;
    private final int out;
    private final int in;

    private F16Matrix(F16Gemv.Packed data) {
        this.data = data;
        this.out = data.out();
        this.in = data.in();
    }

    /**
     * Packs the rows of an {@code [out, in]} f16 matrix, read from {@code src} by {@code pool}'s
     * threads (see {@link F16Gemv#pack(F16Gemv.Rows, int, int, KernelPool)}); rejects Inf/NaN
     * weights and odd widths, naming {@code name}.
     */
    public static F16Matrix of(F16Gemv.Rows src, int out, int in, String name, KernelPool pool) {
        try {
            return new F16Matrix(F16Gemv.pack(src, out, in, pool));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** A matrix already in the packed layout (saved by an earlier load). */
    public static F16Matrix of(F16Gemv.Packed packed) {
        return new F16Matrix(packed);
    }

    /** The packed weights. */
    public F16Gemv.Packed packed() { return data; }

    /** A matrix of f16 bits {@code [out, in]}, row-major (packed into a copy); tests and benchmarks. */
    static F16Matrix wrap(short[] data, int out, int in) {
        return new F16Matrix(F16Gemv.pack(data, out, in));
    }

    /** Bytes the packed weights hold on the heap. */
    public long bytes() { return 2L * data.halves().length; }

    public int out() { return out; }
    public int in() { return in; }

    /** The input width that {@link F16Gemv} needs a multiple of. */
    public static final int BLOCK_IN = 16;

    /** Whether {@link F16Gemv} can multiply a matrix of input width {@code in}. */
    public static boolean fits(long in) { return in % BLOCK_IN == 0; }

    /** {@code y = x · Wᵀ}: {@code x [rows, in] → y [rows, out]}, output columns split across the pool. */
    public float[] multiply(float[] x, int rows, KernelPool pool) {
        float[] y = new float[rows * out];
        multiply(x, rows, y, pool);
        return y;
    }

    /**
     * {@code y = x · Wᵀ} into {@code y[0 .. rows·out)}; the output columns are split into chunks
     * (at most {@link #MAX_CHUNKS}) that the pool's threads claim (one thread below 256 columns,
     * where the hand-off would cost more than it saves).
     */
    public void multiply(float[] x, int rows, float[] y, KernelPool pool) {
        if (x.length < rows * in || y.length < rows * out)
            throw new IllegalArgumentException("x or y too short for " + rows + " rows");
        if (out < 256 || pool.threads() == 1) {
            F16Gemv.multiply(data, x, rows, y, 0, out);
            return;
        }
        F16Gemv.Inputs scaled = F16Gemv.Inputs.reusing(x, rows, in, data.lift(), pool); // once, shared by the chunks
        // Chunks are whole units of output blocks. One row: units of one block, CHUNK columns per
        // chunk (its loop reads four blocks of a chunk at once). Several rows: units of two blocks
        // (the tiles' width), as many chunks as a multiple of the pool's threads (with 64-column
        // chunks a 576-column product had nine: one thread ran five while the other waited out
        // the fifth, ~5% of a batch-8 step).
        int unit = rows == 1 ? 1 : 2;
        int units = (F16Gemv.blocks(out) + unit - 1) / unit;
        int fit = Math.min(MAX_CHUNKS, units);
        int chunks = rows == 1 ? Math.max(2, Math.min(MAX_CHUNKS, out / CHUNK))
                : fit > pool.threads() ? fit - fit % pool.threads() : fit;
        int width = unit * F16Gemv.BLOCK;
        pool.run(chunks, c -> {
            int from = Math.min(out, (int) ((long) units * c / chunks) * width);
            int to = Math.min(out, (int) ((long) units * (c + 1) / chunks) * width);
            F16Gemv.multiply(data, scaled, rows, y, from, to);
        });
    }

    /** Row {@code r} as f32 into {@code dst[offset..offset+in)}. */
    public void row(int r, float[] dst, int offset) {
        for (int i = 0; i < in; i++) dst[offset + i] = data.weight(r, i);
    }
}
