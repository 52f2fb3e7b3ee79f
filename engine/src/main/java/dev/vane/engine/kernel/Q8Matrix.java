package dev.vane.engine.kernel;

/**
 * A Q8_0 weight matrix {@code [out, in]} outside the Java heap (blocks of 32 int8 weights with an f16
 * scale each), multiplied by {@link Q8Gemv} across a {@link KernelPool}.
 */
public final class Q8Matrix implements WeightMatrix {

    private final Q8Gemv.Packed data;

    private Q8Matrix(Q8Gemv.Packed data) {
        this.data = data;
    }

    /**
     * Packs the rows of an {@code [out, in]} Q8_0 matrix read from {@code src} by {@code pool}'s
     * threads; rejects widths that are not whole blocks and non-finite scales, naming {@code name}.
     */
    public static Q8Matrix of(BlockRows src, int out, int in, String name, KernelPool pool) {
        try {
            return new Q8Matrix(Q8Gemv.pack(src, out, in, pool));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** Quantises rows of f16 bits ({@link Q8Gemv#quantize}) and packs them. */
    public static Q8Matrix quantizing(F16Gemv.Rows src, int out, int in, String name, KernelPool pool) {
        return of(quantized(src, in), out, in, name, pool);
    }

    /** Rows of f16 bits as Q8_0 rows, quantised as they are read. */
    public static BlockRows quantized(F16Gemv.Rows src, int in) {
        return Quantizing.rows(src, in, Q8Gemv::quantize);
    }

    /** The packed weights. */
    public Q8Gemv.Packed packed() { return data; }

    @Override public int out() { return data.out(); }
    @Override public int in() { return data.in(); }
    @Override public long bytes() { return data.bytes(); }

    /** Output columns {@code [from, to)} of {@code y = x · Wᵀ}, split across the pool ({@link WeightMatrix#split}). */
    @Override
    public void multiply(float[] x, int rows, float[] y, KernelPool pool, int from, int to) {
        if (x.length < rows * in() || y.length < rows * out() || to > out())
            throw new IllegalArgumentException("x or y too short for " + rows + " rows, or columns past " + out());
        float[] padded = Q8Gemv.inputs(x, rows, in()); // once, shared by the chunks
        WeightMatrix.split(from, to, Q8Gemv.BLOCK, rows, pool, (a, b) -> Q8Gemv.multiply(data, padded, rows, y, a, b));
    }

    @Override
    public void row(int r, float[] dst, int offset) {
        for (int i = 0; i < in(); i++) dst[offset + i] = data.weight(r, i);
    }
}
