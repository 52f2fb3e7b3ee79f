package dev.vane.engine.kernel;

/**
 * A Q4_K weight matrix {@code [out, in]} outside the Java heap (GGML's 4-bit K-quant, packed as a GGUF
 * file stores it), multiplied by {@link Q4KGemv} across a {@link KernelPool}.
 */
public final class Q4KMatrix implements WeightMatrix {

    private final Q4KGemv.Packed data;

    private Q4KMatrix(Q4KGemv.Packed data) {
        this.data = data;
    }

    /** Packs Q4_K rows read by {@code pool}'s threads; rejects widths that are not whole super-blocks and non-finite scales, naming {@code name}. */
    public static Q4KMatrix of(BlockRows src, int out, int in, String name, KernelPool pool) {
        try {
            return new Q4KMatrix(Q4KGemv.pack(src, out, in, pool));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    public Q4KGemv.Packed packed() { return data; }

    @Override public int out() { return data.out(); }
    @Override public int in() { return data.in(); }
    @Override public long bytes() { return data.bytes(); }

    /** Output columns {@code [from, to)} of {@code y = x · Wᵀ}, split across the pool ({@link WeightMatrix#split}). */
    @Override
    public void multiply(float[] x, int rows, float[] y, KernelPool pool, int from, int to) {
        if (x.length < rows * in() || y.length < rows * out() || to > out())
            throw new IllegalArgumentException("x or y too short for " + rows + " rows, or columns past " + out());
        float[] padded = Q8Gemv.inputs(x, rows, in()); // once, shared by the chunks
        WeightMatrix.split(from, to, Q4KGemv.BLOCK, rows, pool, (a, b) -> Q4KGemv.multiply(data, padded, rows, y, a, b));
    }

    @Override
    public void row(int r, float[] dst, int offset) {
        for (int i = 0; i < in(); i++) dst[offset + i] = data.weight(r, i);
    }
}
