package dev.vane.engine.kernel;

import dev.vane.attention.Lanes;
import dev.vane.attention.Rope;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-row operations between the matrix products of a decoder step, on f32 rows of
 * {@code [N, width]} arrays: RMSNorm, bias, residual add, RoPE (with Qwen3's per-head q/k norm)
 * and SwiGLU. Rows run on the kernel pool when there are enough of them (a prefill), on the
 * calling thread otherwise (a decode step, where the hand-off costs more than the work).
 * Reductions and {@code exp} go through {@link Lanes}, so results are the same in every JIT tier.
 */
public final class RowOps {

    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int LANES = Lanes.LANES;
    /** Rows from which norms and RoPE run on the pool: a prefill, not a decode step. */
    private static final int PARALLEL_ROWS = 32;
    /** Rows × width of a SwiGLU from which its rows run on the pool (three rows of a 1536-wide MLP and up). */
    private static final long PARALLEL_SWIGLU_WORK = 4096;

    private final KernelPool pool;
    private final float eps;

    /** @param eps the RMSNorm epsilon */
    public RowOps(KernelPool pool, float eps) {
        this.pool = pool;
        this.eps = eps;
    }

    /** {@code out[r] = x[r] / sqrt(mean(x[r]²) + eps) · g} for each of {@code rows} rows of width {@code g.length}. */
    public void rmsNorm(float[] x, int rows, float[] g, float[] out) {
        int w = g.length;
        onPool(rows, PARALLEL_ROWS, (from, to) -> {
            for (int r = from; r < to; r++) rmsRow(x, r * w, w, g, 0, out, r * w, eps);
        });
    }

    /** {@code y[r] += bias} for each of {@code rows} rows; nothing without a bias. */
    public static void addBias(float[] y, int rows, float[] bias) {
        if (bias == null) return;
        int w = bias.length;
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < w; i++) y[r * w + i] += bias[i];
    }

    /** {@code x[0 .. n) += a[0 .. n)}, element by element (the residual connection). */
    public static void add(float[] x, float[] a, int n) {
        for (int i = 0; i < n; i++) x[i] += a[i];
    }

    /** {@code x[xo .. xo + n) += a[ao .. ao + n)}. */
    public static void add(float[] x, int xo, float[] a, int ao, int n) {
        for (int i = 0; i < n; i++) x[xo + i] += a[ao + i];
    }

    /**
     * Positional encoding of the query and key heads of {@code rows} rows of {@code qkv}
     * ({@code [N, (H + 2G)·Dh]}: H query heads, G key heads, G value heads): each of the first
     * {@code H + G} heads is first RMS-normalised with its row of {@code qkNorm}
     * ({@code [(H + G)·Dh]}, Qwen3; skipped when null), then rotated at the row's position.
     */
    public void rope(float[] qkv, int rows, int width, int rotatedHeads, int[] pos, float[] qkNorm, Rope.Tables rope) {
        int dh = rope.headDim();
        onPool(rows, PARALLEL_ROWS, (from, to) -> {
            for (int r = from; r < to; r++)
                for (int hd = 0; hd < rotatedHeads; hd++) {
                    int off = r * width + hd * dh;
                    if (qkNorm != null) rmsRow(qkv, off, dh, qkNorm, hd * dh, qkv, off, eps);
                    rope.rotate(qkv, off, pos[r]);
                }
        });
    }

    /** {@code act[r] = silu(gate[r]) ⊙ up[r]} where each row of {@code gu} is {@code [gate | up]}, {@code inter} wide each. */
    public void swiGlu(float[] gu, int rows, int inter, float[] act) {
        onPool(rows, (int) ((PARALLEL_SWIGLU_WORK + inter - 1) / inter), (from, to) -> swiGluRows(gu, from, to, inter, act));
    }

    private static void swiGluRows(float[] gu, int from, int to, int inter, float[] act) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int r = from; r < to; r++) {
            int g0 = r * 2 * inter, u0 = g0 + inter, a0 = r * inter;
            Lanes.exp(gu, g0, inter, -1f, 0f, act, a0); // act = e^(−gate)
            int i = 0;
            for (; i + LANES <= inter; i += LANES) {
                FloatVector g = FloatVector.fromArray(F, gu, g0 + i);
                FloatVector sig = one.div(one.add(FloatVector.fromArray(F, act, a0 + i)));
                g.mul(sig).mul(FloatVector.fromArray(F, gu, u0 + i)).intoArray(act, a0 + i);
            }
            for (; i < inter; i++) {
                float g = gu[g0 + i];
                act[a0 + i] = g * (1f / (1f + act[a0 + i])) * gu[u0 + i];
            }
        }
    }

    /** One row's RMSNorm: {@code out[outOff ..+w] = x[off ..+w] / sqrt(mean(x²) + eps) · g[gOff ..+w]} (may be in place). */
    public static void rmsRow(float[] x, int off, int w, float[] g, int gOff, float[] out, int outOff, float eps) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= w; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc = v.fma(v, acc);
        }
        float ss = Lanes.sum(acc);
        for (; i < w; i++) ss += x[off + i] * x[off + i];
        float rms = (float) Math.sqrt(ss / w + eps);
        for (i = 0; i + LANES <= w; i += LANES)
            FloatVector.fromArray(F, x, off + i).div(rms).mul(FloatVector.fromArray(F, g, gOff + i)).intoArray(out, outOff + i);
        for (; i < w; i++) out[outOff + i] = x[off + i] / rms * g[gOff + i];
    }

    private interface RowRange {
        void run(int from, int to);
    }

    /**
     * {@code work} over rows {@code [0, rows)}: on this thread below {@code minRows} rows, else in
     * chunks on the pool (a 256-row prefill spent ~10% of its step in norms, RoPE and input
     * scaling on the calling thread while the other core waited).
     */
    private void onPool(int rows, int minRows, RowRange work) {
        if (rows < Math.max(2, minRows)) {
            work.run(0, rows);
            return;
        }
        int chunks = Math.min(rows, 4 * pool.threads());
        pool.run(chunks, c -> work.run(rows * c / chunks, rows * (c + 1) / chunks));
    }
}
