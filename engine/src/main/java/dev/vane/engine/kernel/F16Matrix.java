package dev.vane.engine.kernel;

/**
 * An f16 weight matrix {@code [out, in]} outside the Java heap ({@link F16Gemv.Packed}), multiplied by {@link F16Gemv} across
 * a {@link KernelPool}.
 */
public final class F16Matrix implements WeightMatrix {

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

    @Override
    public long bytes() { return data.bytes(); }

    @Override public int out() { return out; }
    @Override public int in() { return in; }

    /** The input width that {@link F16Gemv} needs a multiple of. */
    public static final int BLOCK_IN = 16;

    /** Whether {@link F16Gemv} can multiply a matrix of input width {@code in}. */
    public static boolean fits(long in) { return in % BLOCK_IN == 0; }

    /** Output columns {@code [from, to)} of {@code y = x · Wᵀ}, split across the pool ({@link WeightMatrix#split}). */
    @Override
    public void multiply(float[] x, int rows, float[] y, KernelPool pool, int from, int to) {
        if (x.length < rows * in || y.length < rows * out || to > out)
            throw new IllegalArgumentException("x or y too short for " + rows + " rows, or columns past " + out);
        if (to - from < 256 || pool.threads() == 1) {
            WeightMatrix.split(from, to, F16Gemv.BLOCK, rows, pool, (a, b) -> F16Gemv.multiply(data, x, rows, y, a, b)); // on this thread
            return;
        }
        F16Gemv.Inputs scaled = F16Gemv.Inputs.reusing(x, rows, in, data.lift(), pool); // once, shared by the chunks
        WeightMatrix.split(from, to, F16Gemv.BLOCK, rows, pool, (a, b) -> F16Gemv.multiply(data, scaled, rows, y, a, b));
    }

    @Override
    public void row(int r, float[] dst, int offset) {
        for (int i = 0; i < in; i++) dst[offset + i] = data.weight(r, i);
    }
}
