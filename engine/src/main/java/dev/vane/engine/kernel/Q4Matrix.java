package dev.vane.engine.kernel;

/**
 * A Q4_0 weight matrix {@code [out, in]} outside the Java heap (blocks of 32 four-bit weights with an
 * f16 scale each), multiplied by {@link Q4Gemv} across a {@link KernelPool}.
 */
public final class Q4Matrix implements WeightMatrix {

    private final Q4Gemv.Packed data;

    private Q4Matrix(Q4Gemv.Packed data) {
        this.data = data;
    }

    /** Packs Q4_0 rows read by {@code pool}'s threads; rejects widths that are not whole blocks and non-finite scales, naming {@code name}. */
    public static Q4Matrix of(BlockRows src, int out, int in, String name, KernelPool pool) {
        try {
            return new Q4Matrix(Q4Gemv.pack(src, out, in, pool));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** Quantises rows of f16 bits ({@link Q4Gemv#quantize}) and packs them. */
    public static Q4Matrix quantizing(F16Gemv.Rows src, int out, int in, String name, KernelPool pool) {
        return of(Quantizing.rows(src, in, Q4Gemv::quantize), out, in, name, pool);
    }

    public Q4Gemv.Packed packed() { return data; }

    @Override public int out() { return data.out(); }
    @Override public int in() { return data.in(); }
    @Override public long bytes() { return data.bytes(); }

    /** Output columns {@code [from, to)} of {@code y = x · Wᵀ}, split across the pool ({@link WeightMatrix#split}). */
    @Override
    public void multiply(float[] x, int rows, float[] y, KernelPool pool, int from, int to) {
        if (x.length < rows * in() || y.length < rows * out() || to > out())
            throw new IllegalArgumentException("x or y too short for " + rows + " rows, or columns past " + out());
        float[] padded = Q8Gemv.inputs(x, rows, in()); // once, shared by the chunks
        WeightMatrix.split(from, to, Q4Gemv.BLOCK, rows, pool, (a, b) -> Q4Gemv.multiply(data, padded, rows, y, a, b));
    }

    @Override
    public void row(int r, float[] dst, int offset) {
        for (int i = 0; i < in(); i++) dst[offset + i] = data.weight(r, i);
    }
}
