package dev.vane.engine.kernel;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products over f16 weights in Java SIMD (AVX2 or AVX-512 vectors, {@link #WIDE}):
 * <pre>
 *   y[b, o] = Σ_i  f32(W[o, i]) · x[b, i]        W: [out, in] f16, x: [B, in] f32
 * </pre>
 * Why not PyTorch: at one or a few rows PyTorch's CPU f16 GEMV reads weights at a third of the
 * memory bandwidth on AVX2 machines, and decode is bound by reading every weight once per token
 * (see {@code docs/performance.md}).
 *
 * <p><b>Layout.</b> The weights are {@link #pack packed} in blocks of {@link #BLOCK} output rows
 * (one vector: 16 on AVX-512, 8 on AVX2), input-major inside a block, two inputs interleaved: the
 * pair of inputs {@code i, i+1} of a block's outputs is 2·BLOCK consecutive halves,
 * {@code W[blk·BLOCK + lane, i]} at {@code 2·lane + i%2} (see {@link #index}; the last block padded
 * with zero rows). The pairs alternate between two regions, the even pairs {@code i/2} of every
 * block in the first half of the array and the odd ones in the second, so that a tile reading its
 * blocks' pairs in order reads two memory streams per block, half a matrix apart. The hardware
 * prefetchers keep more lines in flight for more streams: a batch-8 product from memory ran 27%
 * faster than with each block's pairs in one run (GemvBench 8 rows of 4096 × 576 beyond L3: 0.0346
 * → 0.0251 ns per weight·row; 4 regions 0.0243, 8 regions 0.0294). One load of 2·BLOCK halves gives inputs
 * {@code i, i+1} of BLOCK outputs, which shifts and masks turn into two float vectors; so a vector
 * accumulator holds BLOCK outputs' partial sums and no horizontal reduction is needed: a product
 * is {@code acc = fma(w[blk, i], broadcast(x[b, i]), acc)} for i = 0, 1, …, then one store.
 * (With HF's row-major layout each output was an 8-lane dot product whose lanes had to be added
 * at the end; the shuffle network doing that deterministically cost more than the FMAs of a
 * 576-long row at batch 8.)
 *
 * <p><b>Tiles.</b> Every output of every input row is one FMA chain over {@code i} in increasing
 * order, so each tile gives the same bits and a batch row equals its solo run exactly, in every JIT
 * tier and at either vector width. Batch 1 runs four blocks a quarter of the range apart (four
 * weight streams in flight per thread, four independent chains); batches run tiles of 2 blocks × 8
 * input rows on AVX-512 (sixteen accumulators) or 1 block × 8 rows on AVX2 (eight), each weight
 * converted once, and 2 blocks × 4 rows, the blocks' 2·BLOCK·in bytes staying in L1 while the
 * input rows pass; the last one to three rows take a pass of 4 blocks × 2 rows and 4 blocks × 1
 * row tiles (a lone chain per block waits on FMA latency: batch 2 ran at half this speed). A
 * last group of five to seven rows is padded to eight ({@link #groupRows}), so that 5 – 8 rows
 * read the weights once. The 8-row tiles read their inputs {@link Inputs#groups interleaved}. Above
 * {@link #ROW_BLOCK} rows the rows are taken in blocks, one pass over the weights each.
 *
 * <p>f16 → f32 without a rounding: the 15 magnitude bits shifted into f32 position with the sign
 * kept in bit 31 give exactly {@code f16 · 2⁻¹¹²}, and the inputs carry the 2¹¹² instead
 * ({@link Inputs}): five integer operations per 2·BLOCK weights and no float multiply per weight
 * vector (a pair per load with the multiply cost 7; two half-width loads widened with
 * {@code convertShape} cost 8, two of them multiplies). Packing lifts each matrix by a power of
 * two so that no weight converts to an f32 subnormal ({@link Packed}). Infinite or NaN weights
 * are rejected by {@link #pack}.
 */
public final class F16Gemv {

    /**
     * 512-bit vectors where the CPU has them natively (AVX-512), else 256-bit (AVX2). A wider
     * vector does twice the multiply-adds per input broadcast and conversion, which is what limits
     * the batched tiles (GemvBench on the AVX-512 Xeon, 8 rows of 4096 × 576: 760 µs at 256 bits,
     * 480 µs at 512, 423 µs with the 8 × 2 tile). The results are the same bits at either width
     * (each output is still one FMA chain in input order).
     * {@code -Dvane.kernel.bits=256} forces the narrow kernels (tests run both).
     */
    static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            && Integer.getInteger("vane.kernel.bits", 512) >= 512;
    private static final VectorSpecies<Float> F = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S2 = WIDE ? ShortVector.SPECIES_512 : ShortVector.SPECIES_256;
    static final int LANES = F.length();
    /** Output rows per packed block (one vector of outputs). */
    public static final int BLOCK = LANES;
    /**
     * Input rows per pass over the weights: a block of x (≤ 32 × in floats, under 200 KiB for
     * in ≤ 1536) stays in L2 while the weight blocks stream past; more rows (a batched prefill)
     * take several passes, each reading the weights again (from L3 for a layer's matrices).
     */
    static final int ROW_BLOCK = 32;

    /**
     * Rows that the 8-row tiles take: the whole groups of eight, and a last group of five to seven
     * rows padded to eight with zero inputs (their outputs are dropped). Without the padding those
     * rows took a 4-row tile and then 2- and 1-row tiles, each a pass over the weights of its own:
     * a decode step of 7 rows ran at 48 ms where 8 rows took 32 ms.
     */
    static int groupRows(int rows) {
        return rows % 8 >= 5 ? rows + 8 - rows % 8 : rows - rows % 8;
    }

    private F16Gemv() {}

    private static boolean warmed; // guarded by the class lock

    /**
     * Has the JIT compile every kernel path before the first real product: runs each tile (batch
     * 1, 8-row groups, a padded group, 4-row tiles, the last two or three rows, an odd block, a
     * padded last block, several row passes, large inputs) on two small matrices until C2 has
     * taken them, with every branch in the profile. Vector code that C2 has not compiled runs the
     * Vector API's Java fallback, which allocates per operation and is orders of magnitude slower:
     * a server that first met 2 or 3 rows in a step, or one row after only batches, ran that
     * step's products so (the tile profiled on full groups was also deoptimised at its first padded
     * group). Once per JVM (1.3 s on the 2-core Xeon, beside the packing of the weights at model
     * load); a concurrent caller waits until it is done.
     */
    public static synchronized void warmUp() {
        if (warmed) return; // a concurrent caller waited above until the first was done
        warmed = true;
        int in = 64;
        int[] outs = {9 * BLOCK + 3, 7 * BLOCK + 3}; // ten blocks (pairs, an odd one, a padded last); eight (four-block batch-1 groups, padded last)
        Packed[] m = new Packed[outs.length];
        for (int k = 0; k < outs.length; k++) {
            short[] w = new short[outs[k] * in];
            for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16(((i * 37 + k) % 101 - 50) / 500f);
            m[k] = pack(w, outs[k], in);
        }
        int[] rowCounts = {1, 2, 3, 4, 6, 8, 9, 11, 12, 16, 40};
        float[] x = new float[40 * in], big = new float[40 * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((i * 13) % 29 - 14) / 7f;
            big[i] = x[i] * 0x1p20f; // past 2^15: the inputs' shift
        }
        float[] y = new float[40 * outs[0]];
        for (int round = 0; round < 800; round++)
            for (Packed p : m)
                for (int rows : rowCounts) {
                    float[] in8 = round % 16 == 0 ? big : x;
                    if (round % 2 == 0) {
                        multiply(p, in8, rows, y, 0, p.out());
                    } else { // two chunks, as a pool cuts a product
                        multiply(p, in8, rows, y, 0, 4 * BLOCK);
                        multiply(p, in8, rows, y, 4 * BLOCK, p.out());
                    }
                }
    }

    /** Whether the CPU runs 8-lane float vectors natively (AVX2 or wider). */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() >= 8;
    }

    /** Blocks of {@link #BLOCK} output rows that hold {@code out} rows. */
    public static int blocks(int out) {
        return (out + BLOCK - 1) / BLOCK;
    }

    /**
     * A matrix in the packed layout (see the class comment), its halves multiplied by
     * 2<sup>lift</sup> (exactly: a power of two).
     *
     * <p>Why the lift: a weight converted by the shift-and-mask below is {@code f16 · 2⁻¹¹²}, so an
     * f16 subnormal becomes an f32 subnormal, and Intel cores run an FMA with a subnormal operand
     * through a microcode assist: on the AVX-512 Xeon, N(0, 0.02) weights (0.2% of them f16
     * subnormals) ran the 8-row tile 5× and the 1-row loop 2.5× slower than the same weights with
     * those set to zero. Lifting the whole matrix by 2<sup>lift</sup> (the inputs carry
     * 2<sup>−lift</sup>, {@link Inputs}) makes its smallest weight an f16 normal, so no weight
     * converts to a subnormal; every product is still exactly {@code w · x}. A subnormal value
     * {@code m · 2⁻²⁴} has at most ten significant bits, so it fits an f16 normal's mantissa.
     *
     * <p>The halves lie outside the Java heap: in anonymous pages of their own ({@link PackedMemory}) when packed by this process,
     * or in the pages of a file mapped read-only (an earlier load's packed weights, which the
     * process then shares with the page cache instead of holding a copy).
     *
     * @param halves the packed, lifted f16 bits, little-endian, 64-byte aligned
     * @param lift   {@link #lift} of the source weights
     */
    public record Packed(MemorySegment halves, int out, int in, int lift) {
        public Packed {
            if (halves.byteSize() != 2 * F16Gemv.halves(out, in))
                throw new IllegalArgumentException(halves.byteSize() + " bytes of halves for a packed " + out + " x " + in + " matrix");
        }

        /** The weight {@code W[o, i]} as f32 (exact). */
        public float weight(int o, int i) {
            return Math.scalb(Float.float16ToFloat(half(index(out, in, o, i))), -lift);
        }

        /** The half at {@code index} of the packed layout. */
        public short half(int index) {
            return halves.getAtIndex(HALF, index);
        }

        /** Bytes of the packed halves. */
        public long bytes() {
            return halves.byteSize();
        }
    }

    /** A little-endian half, as the packed layout stores them (the byte order of the packed-weights file). */
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The packed halves at {@code at} as BLOCK ints: each the input pair {@code i, i+1} of one output lane. */
    private static IntVector pairs(MemorySegment w, int at) {
        return (IntVector) ShortVector.fromMemorySegment(S2, w, 2L * at, ByteOrder.LITTLE_ENDIAN).reinterpretAsInts();
    }

    /**
     * The rows of an {@code [out, in]} matrix of f16 bits, read on demand: the packing reads each
     * row twice (its range of exponents, then its bits), from several threads at once.
     */
    @FunctionalInterface
    public interface Rows {
        /** Row {@code o} into {@code dst[0 .. in)}. */
        void row(int o, short[] dst);
    }

    /** Rows per chunk of a parallel packing. */
    private static final int PACK_CHUNK_ROWS = 256;

    /** Row-major {@code [out, in]} f16 bits to the packed layout (see the class comment); {@code in} even, no Inf/NaN. */
    public static Packed pack(short[] w, int out, int in) {
        if (w.length != out * in) throw new IllegalArgumentException("expected " + out + " x " + in + " halves");
        return pack((o, dst) -> System.arraycopy(w, o * in, dst, 0, in), out, in, null);
    }

    /**
     * Packs the rows of an {@code [out, in]} f16 matrix ({@code in} even, no Inf/NaN) straight
     * from their source, in chunks of rows spread over {@code pool} (on the calling thread when
     * null): a pass for the {@link #lift}, then a pass that writes each row's halves, lifted, to
     * their places. Holds one row buffer per chunk besides the packed array.
     */
    public static Packed pack(Rows src, int out, int in, KernelPool pool) {
        if (in % 2 != 0) throw new IllegalArgumentException("input width " + in + " is odd");
        int chunks = (out + PACK_CHUNK_ROWS - 1) / PACK_CHUNK_ROWS;
        // the bits of a half's magnitude order as the magnitudes do: the smallest non-zero and the
        // largest magnitude bits give the binades of the smallest and largest weight
        int[] least = new int[chunks], most = new int[chunks];
        run(pool, chunks, c -> {
            short[] row = new short[in];
            int min = 0x7fff, max = 0;
            for (int o = c * PACK_CHUNK_ROWS; o < Math.min(out, (c + 1) * PACK_CHUNK_ROWS); o++) {
                src.row(o, row);
                int rowMax = 0;
                for (short h : row) {
                    int a = h & 0x7fff;
                    rowMax = Math.max(rowMax, a);
                    if (a != 0) min = Math.min(min, a);
                }
                if (rowMax >= 0x7c00) throw new IllegalArgumentException("infinite or NaN weight in row " + o);
                max = Math.max(max, rowMax);
            }
            least[c] = min;
            most[c] = max;
        });
        int min = 0x7fff, max = 0;
        for (int c = 0; c < chunks; c++) {
            min = Math.min(min, least[c]);
            max = Math.max(max, most[c]);
        }
        int lift = max == 0 ? 0 : lift(Math.getExponent(Float.float16ToFloat((short) min)), Math.getExponent(Float.float16ToFloat((short) max)));
        float up = Math.scalb(1f, lift);
        int region = region(out, in), stride = stride(in);
        MemorySegment p = PackedMemory.allocate(2L * Math.multiplyExact(2, region)); // zeroed (the padding); its indices are ints
        run(pool, chunks, c -> {
            short[] row = new short[in];
            for (int o = c * PACK_CHUNK_ROWS; o < Math.min(out, (c + 1) * PACK_CHUNK_ROWS); o++) {
                src.row(o, row);
                if (lift != 0)
                    for (int i = 0; i < in; i++) row[i] = Float.floatToFloat16(Float.float16ToFloat(row[i]) * up);
                int lane = (o / BLOCK) * stride + 2 * (o % BLOCK);
                for (int i = 0; i < in; i += 2) { // pair(i, region) walked: region (i/2) % 2, slot i/4
                    int at = lane + ((i >> 1) & 1) * region + (i >> 2) * (2 * BLOCK);
                    p.setAtIndex(HALF, at, row[i]);
                    p.setAtIndex(HALF, at + 1, row[i + 1]);
                }
            }
        });
        return new Packed(p, out, in, lift);
    }

    private static void run(KernelPool pool, int chunks, KernelPool.Task task) {
        if (pool == null) for (int c = 0; c < chunks; c++) task.run(c);
        else pool.run(chunks, task);
    }

    /** Largest binade of an f16 normal ({@code 65504 < 2¹⁶}) and smallest ({@code 2⁻¹⁴}). */
    private static final int F16_MAX_EXP = 15, F16_MIN_EXP = -14;

    /**
     * The power of two that lifts the smallest non-zero |weight| (binade {@code min}) to an f16
     * normal without pushing the largest (binade {@code max}) past the f16 range:
     * {@code min(−14 − min, 15 − max)}, at least 0. Matrices
     * spanning more than 30 binades keep some subnormals (exact, only slower on Intel).
     */
    private static int lift(int min, int max) {
        return Math.max(0, Math.min(F16_MIN_EXP - min, F16_MAX_EXP - max));
    }

    /** Halves of an {@code [out, in]} matrix in the packed layout (both regions, the padding included). */
    public static long halves(int out, int in) {
        return 2L * region(out, in);
    }

    /** Where {@code W[o, i]} lies in the packed layout: region, block, input pair, output lane, input parity. */
    public static int index(int out, int in, int o, int i) {
        return pair(i, region(out, in)) + (o / BLOCK) * stride(in) + 2 * (o % BLOCK) + (i & 1);
    }

    /** Halves of one block in one region: its input pairs {@code p} of one parity, padded to an even pair count. */
    static int stride(int in) {
        return (in / 2 + 1) / 2 * 2 * BLOCK;
    }

    /** Halves of one region: all blocks' even (region 0) or odd (region 1) input pairs. */
    static int region(int out, int in) {
        return blocks(out) * stride(in);
    }

    /** Offset of the pair holding inputs {@code i, i+1} ({@code i} even) from its block's start: region {@code (i/2) % 2}, slot {@code i/4}. */
    static int pair(int i, int region) {
        return ((i >> 1) & 1) * region + (i >> 2) * (2 * BLOCK);
    }

    /**
     * Output rows {@code [from, to)} for all {@code rows} inputs.
     *
     * @param w    {@link #pack packed} weights of an {@code [out, in]} matrix
     * @param x    {@code [rows, in]}
     * @param y    {@code [rows, out]}
     * @param from a multiple of {@link #BLOCK}
     * @param to   a multiple of {@link #BLOCK}, or {@code out}
     */
    public static void multiply(Packed w, float[] x, int rows, float[] y, int from, int to) {
        multiply(w, Inputs.reusing(x, rows, w.in(), w.lift(), null), rows, y, from, to);
    }

    /**
     * Inputs as the kernels read them. The weights are read as f16 · 2<sup>lift − 112</sup> (see
     * the conversion note below and {@link Packed}); the inputs carry the 2<sup>112 − lift</sup>
     * instead, less 2^shift when they are large (they must stay below 2¹²⁷), and the outputs get
     * the 2^shift back. Scaling by powers of two commutes with every rounding here, so the outputs
     * are the bits of the plain product, except where a partial sum of the plain chain would
     * overflow to infinity and the scaled one does not: the output is then that finite sum. Made
     * once per product and shared by the chunks of its output range.
     *
     * <p>Each row has its own shift, from its own largest value: a row of huge, infinite or NaN
     * values (a request whose activations blew up) never changes how another row is scaled, so
     * it cannot push the other rows' products into subnormals or overflow.
     *
     * @param shifts each row's shift, or null when no row has one
     */
    public record Inputs(float[] scaled, float[] groups, int[] shifts) {
        /** Lane l of a gather reads row {@code l % 8}, position {@code l / 8} of an 8-row group (positions {@code in} apart). */
        private static final java.util.concurrent.ConcurrentHashMap<Integer, int[]> GATHER = new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * The {@code rows × in} values of {@code x}, scaled for a matrix lifted by
         * 2<sup>lift</sup>, in the layouts the tiles read: row-major ({@code scaled}, for rows that
         * the 8-row tiles do not take; empty when they take all) and each group of eight rows
         * ({@link #groupRows}) interleaved, {@code groups[(g·in + i)·8 + r] = x[(8g + r)·in + i]·scale}:
         * the eight inputs a tile broadcasts at position {@code i} lie side by side, one base
         * register for all eight (with eight row bases the JIT ran out of general registers and
         * spilled in the inner loop). The interleaving gathers {@code LANES/8} positions of the
         * eight rows per vector (a scalar pass over a 256-row prefill's inputs cost 0.2 – 0.8 ms
         * per product, on the calling thread).
         */
        public static Inputs of(float[] x, int rows, int in, int lift) {
            return of(x, rows, in, lift, null);
        }

        /** As {@link #of(float[], int, int, int)}, the layouts filled on {@code pool} (null: this thread) for 64 rows and more. */
        public static Inputs of(float[] x, int rows, int in, int lift, KernelPool pool) {
            int grouped = groupRows(rows);
            return of(x, rows, in, lift, pool, new float[grouped < rows ? rows * in : 0], new float[grouped * in]);
        }

        /**
         * As {@link #of(float[], int, int, int, KernelPool)}, in this thread's buffers: valid until
         * this thread's next call, so only for a product that completes before the caller prepares
         * another (both {@code multiply} on raw inputs and {@link F16Matrix}). A decode step of 8 rows made ~120 of these arrays (3.5 MB);
         * with the tiles' tail buffers and the logits the JVM allocated ~35 MB per step and
         * collected every ~17 steps.
         */
        static Inputs reusing(float[] x, int rows, int in, int lift, KernelPool pool) {
            Buffers b = BUFFERS.get();
            int grouped = groupRows(rows);
            if (grouped < rows && b.scaled.length < rows * in) b.scaled = new float[rows * in];
            if (b.groups.length < grouped * in) b.groups = new float[grouped * in];
            return of(x, rows, in, lift, pool, grouped < rows ? b.scaled : new float[0], b.groups);
        }

        private static final class Buffers {
            float[] scaled = new float[0], groups = new float[0];
        }

        private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

        private static Inputs of(float[] x, int rows, int in, int lift, KernelPool pool, float[] xs, float[] groups) {
            float[] up = new float[rows];
            int[] shifts = null;
            for (int b = 0; b < rows; b++) {
                int shift = shift(x, b * in, in);
                up[b] = Math.scalb(1f, 112 - lift - shift);
                if (shift != 0) {
                    if (shifts == null) shifts = new int[rows];
                    shifts[b] = shift;
                }
            }
            int grouped = groupRows(rows);
            int[] map = GATHER.computeIfAbsent(in, w -> { // in is even (pack), so LANES/8 ≤ 2 divides it
                int[] m = new int[LANES];
                for (int l = 0; l < LANES; l++) m[l] = (l % 8) * w + l / 8;
                return m;
            });
            int units = (rows + 7) / 8; // eight rows each
            if (pool == null || rows < 64) {
                fill(x, rows, in, up, xs, groups, grouped, map, 0, units);
            } else {
                int chunks = Math.min(units, 4 * pool.threads());
                pool.run(chunks, c -> fill(x, rows, in, up, xs, groups, grouped, map, units * c / chunks, units * (c + 1) / chunks));
            }
            return new Inputs(xs, groups, shifts);
        }

        /**
         * The power of two that row {@code x[from, from + in)} is scaled down by: 0 while its
         * largest magnitude is below 2¹⁵, and for a row holding Inf or NaN (whose outputs are
         * not finite anyway). Vectorised: at batch 8 a scalar pass over the inputs of each of a
         * step's ~120 products was 5% of the decode step, all of it on the calling thread.
         */
        private static int shift(float[] x, int from, int in) {
            FloatVector vmax = FloatVector.zero(F);
            int k = from, end = from + in;
            for (; k + LANES <= end; k += LANES) vmax = vmax.max(FloatVector.fromArray(F, x, k).abs());
            float amax = vmax.reduceLanes(VectorOperators.MAX); // NaN propagates, as Math.max
            for (; k < end; k++) amax = Math.max(amax, Math.abs(x[k]));
            return amax >= 0x1p15f && Float.isFinite(amax) ? Math.getExponent(amax) - 14 : 0;
        }

        /**
         * Rows {@code [8·u0, 8·u1)}, each times its {@code up}, into {@code xs} (when it is used)
         * and into their groups ({@code grouped} rows, the padding rows zeroed).
         */
        private static void fill(float[] x, int rows, int in, float[] up, float[] xs, float[] groups, int grouped, int[] map, int u0, int u1) {
            if (xs.length > 0)
                for (int b = 8 * u0; b < Math.min(rows, 8 * u1); b++) {
                    int k = b * in, to = k + in;
                    float u = up[b];
                    for (; k + LANES <= to; k += LANES) FloatVector.fromArray(F, x, k).mul(u).intoArray(xs, k);
                    for (; k < to; k++) xs[k] = x[k] * u;
                }
            int step = LANES / 8; // positions per gathered vector
            float[] lanes = new float[LANES];
            for (int g = u0; g < Math.min(u1, grouped / 8); g++) {
                int src = 8 * g * in, dst = 8 * g * in;
                if (8 * g + 8 <= rows) {
                    for (int l = 0; l < LANES; l++) lanes[l] = up[8 * g + l % 8]; // lane l holds row l % 8
                    FloatVector u = FloatVector.fromArray(F, lanes, 0);
                    for (int i = 0; i < in; i += step, dst += LANES) FloatVector.fromArray(F, x, src + i, map, 0).mul(u).intoArray(groups, dst);
                } else { // the padded last group: zero inputs past the last row (a reused buffer holds old ones)
                    for (int r = 0; r < 8; r++)
                        for (int i = 0; i < in; i++)
                            groups[dst + 8 * i + r] = 8 * g + r < rows ? x[src + r * in + i] * up[8 * g + r] : 0f;
                }
            }
        }
    }

    /** {@link #multiply} on inputs already {@link Inputs#of prepared} for {@code w}'s lift. */
    public static void multiply(Packed w, Inputs x, int rows, float[] y, int from, int to) {
        int out = w.out();
        if (from % BLOCK != 0 || (to % BLOCK != 0 && to != out) || from > to || to > out)
            throw new IllegalArgumentException("output range [" + from + ", " + to + ") not on " + BLOCK + "-row blocks of " + out);
        kernels(w.halves(), w.in(), out, x.scaled(), x.groups(), rows, y, from, to);
        if (x.shifts() != null)
            for (int b = 0; b < rows; b++) {
                if (x.shifts()[b] == 0) continue;
                float down = Math.scalb(1f, x.shifts()[b]);
                for (int o = from; o < to; o++) y[b * out + o] *= down;
            }
    }

    /** Per thread: the tiles' stores of a padded block or group (a new one per call was 5 MB per batch-8 decode step). */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[16 * LANES]);

    /** The tiles over output blocks {@code [from, to)}, on scaled inputs (see {@link Inputs}). */
    private static void kernels(MemorySegment packed, int in, int out, float[] x, float[] groups, int rows, float[] y, int from, int to) {
        float[] tail = TAIL.get();
        int b0 = from / BLOCK, b1 = blocks(to);
        if (rows == 1) {
            // four blocks a quarter of the range apart in one loop: more memory streams in flight
            // per thread read faster (plain reads here: 12 GB/s with one, 13-14 with two, ~17 with four)
            int quarter = (b1 - b0) / 4;
            for (int k = 0; k < quarter; k++) row1x4(packed, in, out, x, 0, y, b0 + k, quarter, tail);
            for (int blk = b0 + 4 * quarter; blk < b1; blk++) tile1x1(packed, in, out, x, 0, y, blk, tail);
            return;
        }
        int grouped = groupRows(rows), span = Math.max(rows, grouped);
        for (int r0 = 0; r0 < span; r0 += ROW_BLOCK) {
            int r1 = Math.min(span, r0 + ROW_BLOCK);
            int e8 = Math.min(grouped, r1); // 8-row tiles over [r0, e8) (the last group maybe padded)
            int e = Math.min(rows, r1);     // then the real rows [e8, e) left, fewer than 8
            int blk = b0;
            for (; blk + 2 <= b1; blk += 2) {
                int b = r0;
                for (; b + 8 <= e8; b += 8) {
                    if (WIDE) {
                        tile8x2(packed, in, out, groups, b, Math.min(8, rows - b), y, blk, tail);
                    } else { // sixteen accumulators would not fit AVX2's sixteen registers
                        tile8x1(packed, in, out, groups, b, Math.min(8, rows - b), y, blk, tail);
                        tile8x1(packed, in, out, groups, b, Math.min(8, rows - b), y, blk + 1, tail);
                    }
                }
                for (; b + 4 <= e; b += 4) tile4x2(packed, in, out, x, b, y, blk, tail);
            }
            for (; blk < b1; blk++) {
                int b = r0;
                for (; b + 8 <= e8; b += 8) tile8x1(packed, in, out, groups, b, Math.min(8, rows - b), y, blk, tail);
                for (; b + 4 <= e; b += 4) for (int k = 0; k < 4; k++) tile1x1(packed, in, out, x, b + k, y, blk, tail);
            }
            // the last (e - e8) % 4 rows: a pass of their own with tiles over four blocks (one FMA
            // chain per block and row would wait on FMA latency)
            int b = e - Math.max(0, e - e8) % 4;
            for (; b + 2 <= e; b += 2) {
                int k = b0;
                for (; k + 4 <= b1; k += 4) tile2x4(packed, in, out, x, b, y, k, tail);
                for (; k < b1; k++) {
                    tile1x1(packed, in, out, x, b, y, k, tail);
                    tile1x1(packed, in, out, x, b + 1, y, k, tail);
                }
            }
            if (b < e) {
                int k = b0;
                for (; k + 4 <= b1; k += 4) row1x4(packed, in, out, x, b, y, k, 1, tail);
                for (; k < b1; k++) tile1x1(packed, in, out, x, b, y, k, tail);
            }
        }
    }

    /**
     * Copies accumulators that were stored to {@code tail[slot·8 ..]} into {@code y}, row
     * {@code b}, block {@code blk}: as many outputs as the (padded) last block really has.
     * Vectors never cross this call (a vector argument to a call that is not inlined is boxed).
     */
    private static void copyTail(float[] tail, int slot, float[] y, int out, int b, int blk) {
        int o = blk * BLOCK;
        System.arraycopy(tail, slot * LANES, y, b * out + o, Math.min(BLOCK, out - o));
    }

    /** One input row × one block. */
    private static void tile1x1(MemorySegment w, int in, int out, float[] x, int b, float[] y, int blk, float[] tail) {
        int wb = blk * stride(in), xb = b * in, region = region(out, in);
        FloatVector a = FloatVector.zero(F);
        for (int i = 0; i < in; i += 2) {
            IntVector h = pairs(w, wb + pair(i, region));
            a = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[xb + i]), a);
            a = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[xb + i + 1]), a);
        }
        if ((blk + 1) * BLOCK <= out) {
            a.intoArray(y, b * out + blk * BLOCK);
        } else {
            a.intoArray(tail, 0);
            copyTail(tail, 0, y, out, b, blk);
        }
    }

    /** Batch 1: blocks {@code blk + k·gap}, k = 0..3 (four weight streams, four chains). */
    private static void row1x4(MemorySegment w, int in, int out, float[] x, int b, float[] y, int blk, int gap, float[] tail) {
        int xb = b * in;
        int step = gap * stride(in), region = region(out, in);
        int w0 = blk * stride(in), w1 = w0 + step, w2 = w1 + step, w3 = w2 + step;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int i = 0; i < in; i += 2) {
            int j = pair(i, region);
            // inputs i and i+1 of four blocks (the conversion written out, see above)
            FloatVector xv = FloatVector.broadcast(F, x[xb + i]), xw = FloatVector.broadcast(F, x[xb + i + 1]);
            IntVector h = pairs(w, w0 + j);
            a0 = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats().fma(xv, a0);
            a0 = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats().fma(xw, a0);
            h = pairs(w, w1 + j);
            a1 = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats().fma(xv, a1);
            a1 = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats().fma(xw, a1);
            h = pairs(w, w2 + j);
            a2 = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats().fma(xv, a2);
            a2 = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats().fma(xw, a2);
            h = pairs(w, w3 + j);
            a3 = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats().fma(xv, a3);
            a3 = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats().fma(xw, a3);
        }
        if ((blk + 3 * gap + 1) * BLOCK <= out) {
            int r = b * out;
            a0.intoArray(y, r + blk * BLOCK);
            a1.intoArray(y, r + (blk + gap) * BLOCK);
            a2.intoArray(y, r + (blk + 2 * gap) * BLOCK);
            a3.intoArray(y, r + (blk + 3 * gap) * BLOCK);
        } else {
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            for (int k = 0; k < 4; k++) copyTail(tail, k, y, out, b, blk + k * gap);
        }
    }

    /**
     * Input rows {@code b..b+7} ({@code b} a multiple of 8, the first {@code valid} of them real;
     * {@code g} the {@link Inputs#groups interleaved} inputs) × block {@code blk}: eight
     * accumulators, each weight vector converted once.
     */
    private static void tile8x1(MemorySegment w, int in, int out, float[] g, int b, int valid, float[] y, int blk, float[] tail) {
        int wb = blk * stride(in), region = region(out, in);
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        for (int i = 0, q = b * in; i < in; i += 2, q += 16) {
            IntVector h = pairs(w, wb + pair(i, region));
            FloatVector u = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats();
            a0 = u.fma(FloatVector.broadcast(F, g[q + 0]), a0);
            a1 = u.fma(FloatVector.broadcast(F, g[q + 1]), a1);
            a2 = u.fma(FloatVector.broadcast(F, g[q + 2]), a2);
            a3 = u.fma(FloatVector.broadcast(F, g[q + 3]), a3);
            a4 = u.fma(FloatVector.broadcast(F, g[q + 4]), a4);
            a5 = u.fma(FloatVector.broadcast(F, g[q + 5]), a5);
            a6 = u.fma(FloatVector.broadcast(F, g[q + 6]), a6);
            a7 = u.fma(FloatVector.broadcast(F, g[q + 7]), a7);
            u = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            a0 = u.fma(FloatVector.broadcast(F, g[q + 8]), a0);
            a1 = u.fma(FloatVector.broadcast(F, g[q + 9]), a1);
            a2 = u.fma(FloatVector.broadcast(F, g[q + 10]), a2);
            a3 = u.fma(FloatVector.broadcast(F, g[q + 11]), a3);
            a4 = u.fma(FloatVector.broadcast(F, g[q + 12]), a4);
            a5 = u.fma(FloatVector.broadcast(F, g[q + 13]), a5);
            a6 = u.fma(FloatVector.broadcast(F, g[q + 14]), a6);
            a7 = u.fma(FloatVector.broadcast(F, g[q + 15]), a7);
        }
        int o = blk * BLOCK;
        if (valid == 8 && o + BLOCK <= out) {
            int r = b * out + o;
            a0.intoArray(y, r);
            a1.intoArray(y, r + out);
            a2.intoArray(y, r + 2 * out);
            a3.intoArray(y, r + 3 * out);
            a4.intoArray(y, r + 4 * out);
            a5.intoArray(y, r + 5 * out);
            a6.intoArray(y, r + 6 * out);
            a7.intoArray(y, r + 7 * out);
        } else { // a padded group (only its real rows go to y) or the padded last block
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            a4.intoArray(tail, 4 * LANES);
            a5.intoArray(tail, 5 * LANES);
            a6.intoArray(tail, 6 * LANES);
            a7.intoArray(tail, 7 * LANES);
            for (int k = 0; k < valid; k++) copyTail(tail, k, y, out, b + k, blk);
        }
    }

    /**
     * Input rows {@code b..b+7} (as in {@link #tile8x1}) × blocks {@code blk, blk+1}: sixteen accumulators (AVX-512 has 32
     * vector registers), each broadcast input feeding two FMAs.
     */
    private static void tile8x2(MemorySegment w, int in, int out, float[] g8, int b, int valid, float[] y, int blk, float[] tail) {
        int w0 = blk * stride(in), w1 = w0 + stride(in), region = region(out, in);
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F), c5 = FloatVector.zero(F), c6 = FloatVector.zero(F), c7 = FloatVector.zero(F);
        for (int i = 0, q = b * in; i < in; i += 2, q += 16) {
            int j = pair(i, region);
            IntVector g = pairs(w, w0 + j), h = pairs(w, w1 + j);
            FloatVector u = g.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats(), v = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats();
            FloatVector p;
            p = FloatVector.broadcast(F, g8[q + 0]);
            a0 = u.fma(p, a0);
            c0 = v.fma(p, c0);
            p = FloatVector.broadcast(F, g8[q + 1]);
            a1 = u.fma(p, a1);
            c1 = v.fma(p, c1);
            p = FloatVector.broadcast(F, g8[q + 2]);
            a2 = u.fma(p, a2);
            c2 = v.fma(p, c2);
            p = FloatVector.broadcast(F, g8[q + 3]);
            a3 = u.fma(p, a3);
            c3 = v.fma(p, c3);
            p = FloatVector.broadcast(F, g8[q + 4]);
            a4 = u.fma(p, a4);
            c4 = v.fma(p, c4);
            p = FloatVector.broadcast(F, g8[q + 5]);
            a5 = u.fma(p, a5);
            c5 = v.fma(p, c5);
            p = FloatVector.broadcast(F, g8[q + 6]);
            a6 = u.fma(p, a6);
            c6 = v.fma(p, c6);
            p = FloatVector.broadcast(F, g8[q + 7]);
            a7 = u.fma(p, a7);
            c7 = v.fma(p, c7);
            u = g.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            v = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            p = FloatVector.broadcast(F, g8[q + 8]);
            a0 = u.fma(p, a0);
            c0 = v.fma(p, c0);
            p = FloatVector.broadcast(F, g8[q + 9]);
            a1 = u.fma(p, a1);
            c1 = v.fma(p, c1);
            p = FloatVector.broadcast(F, g8[q + 10]);
            a2 = u.fma(p, a2);
            c2 = v.fma(p, c2);
            p = FloatVector.broadcast(F, g8[q + 11]);
            a3 = u.fma(p, a3);
            c3 = v.fma(p, c3);
            p = FloatVector.broadcast(F, g8[q + 12]);
            a4 = u.fma(p, a4);
            c4 = v.fma(p, c4);
            p = FloatVector.broadcast(F, g8[q + 13]);
            a5 = u.fma(p, a5);
            c5 = v.fma(p, c5);
            p = FloatVector.broadcast(F, g8[q + 14]);
            a6 = u.fma(p, a6);
            c6 = v.fma(p, c6);
            p = FloatVector.broadcast(F, g8[q + 15]);
            a7 = u.fma(p, a7);
            c7 = v.fma(p, c7);
        }
        if (valid == 8 && (blk + 2) * BLOCK <= out) {
            int r = b * out + blk * BLOCK;
            a0.intoArray(y, r);
            c0.intoArray(y, r + BLOCK);
            a1.intoArray(y, r + out);
            c1.intoArray(y, r + out + BLOCK);
            a2.intoArray(y, r + 2 * out);
            c2.intoArray(y, r + 2 * out + BLOCK);
            a3.intoArray(y, r + 3 * out);
            c3.intoArray(y, r + 3 * out + BLOCK);
            a4.intoArray(y, r + 4 * out);
            c4.intoArray(y, r + 4 * out + BLOCK);
            a5.intoArray(y, r + 5 * out);
            c5.intoArray(y, r + 5 * out + BLOCK);
            a6.intoArray(y, r + 6 * out);
            c6.intoArray(y, r + 6 * out + BLOCK);
            a7.intoArray(y, r + 7 * out);
            c7.intoArray(y, r + 7 * out + BLOCK);
        } else { // a padded group (only its real rows go to y) or a padded last block
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            a4.intoArray(tail, 4 * LANES);
            a5.intoArray(tail, 5 * LANES);
            a6.intoArray(tail, 6 * LANES);
            a7.intoArray(tail, 7 * LANES);
            c0.intoArray(tail, 8 * LANES);
            c1.intoArray(tail, 9 * LANES);
            c2.intoArray(tail, 10 * LANES);
            c3.intoArray(tail, 11 * LANES);
            c4.intoArray(tail, 12 * LANES);
            c5.intoArray(tail, 13 * LANES);
            c6.intoArray(tail, 14 * LANES);
            c7.intoArray(tail, 15 * LANES);
            for (int k = 0; k < valid; k++) {
                copyTail(tail, k, y, out, b + k, blk);
                copyTail(tail, 8 + k, y, out, b + k, blk + 1);
            }
        }
    }

    /** Input rows {@code b, b+1} × blocks {@code blk..blk+3}: eight accumulators. */
    private static void tile2x4(MemorySegment w, int in, int out, float[] x, int b, float[] y, int blk, float[] tail) {
        int w0 = blk * stride(in), w1 = w0 + stride(in), w2 = w1 + stride(in), w3 = w2 + stride(in), region = region(out, in);
        int x0 = b * in, x1 = x0 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        for (int i = 0; i < in; i += 2) {
            int j = pair(i, region);
            IntVector h = pairs(w, w0 + j);
            FloatVector u = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats();
            a0 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a0);
            c0 = u.fma(FloatVector.broadcast(F, x[x1 + i]), c0);
            u = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            a0 = u.fma(FloatVector.broadcast(F, x[x0 + i + 1]), a0);
            c0 = u.fma(FloatVector.broadcast(F, x[x1 + i + 1]), c0);
            h = pairs(w, w1 + j);
            u = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats();
            a1 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a1);
            c1 = u.fma(FloatVector.broadcast(F, x[x1 + i]), c1);
            u = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            a1 = u.fma(FloatVector.broadcast(F, x[x0 + i + 1]), a1);
            c1 = u.fma(FloatVector.broadcast(F, x[x1 + i + 1]), c1);
            h = pairs(w, w2 + j);
            u = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats();
            a2 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a2);
            c2 = u.fma(FloatVector.broadcast(F, x[x1 + i]), c2);
            u = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            a2 = u.fma(FloatVector.broadcast(F, x[x0 + i + 1]), a2);
            c2 = u.fma(FloatVector.broadcast(F, x[x1 + i + 1]), c2);
            h = pairs(w, w3 + j);
            u = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats();
            a3 = u.fma(FloatVector.broadcast(F, x[x0 + i]), a3);
            c3 = u.fma(FloatVector.broadcast(F, x[x1 + i]), c3);
            u = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            a3 = u.fma(FloatVector.broadcast(F, x[x0 + i + 1]), a3);
            c3 = u.fma(FloatVector.broadcast(F, x[x1 + i + 1]), c3);
        }
        if ((blk + 4) * BLOCK <= out) {
            int r = b * out + blk * BLOCK, q = r + out;
            a0.intoArray(y, r);
            a1.intoArray(y, r + BLOCK);
            a2.intoArray(y, r + 2 * BLOCK);
            a3.intoArray(y, r + 3 * BLOCK);
            c0.intoArray(y, q);
            c1.intoArray(y, q + BLOCK);
            c2.intoArray(y, q + 2 * BLOCK);
            c3.intoArray(y, q + 3 * BLOCK);
        } else {
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            c0.intoArray(tail, 4 * LANES);
            c1.intoArray(tail, 5 * LANES);
            c2.intoArray(tail, 6 * LANES);
            c3.intoArray(tail, 7 * LANES);
            for (int k = 0; k < 4; k++) {
                copyTail(tail, k, y, out, b, blk + k);
                copyTail(tail, 4 + k, y, out, b + 1, blk + k);
            }
        }
    }

    /** Input rows {@code b..b+3} × blocks {@code blk, blk+1}: eight accumulators. */
    private static void tile4x2(MemorySegment w, int in, int out, float[] x, int b, float[] y, int blk, float[] tail) {
        int w0 = blk * stride(in), w1 = w0 + stride(in), region = region(out, in);
        int x0 = b * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        for (int i = 0; i < in; i += 2) {
            int j = pair(i, region);
            IntVector g = pairs(w, w0 + j), h = pairs(w, w1 + j);
            FloatVector u = g.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats(), v = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFF_FFFF).reinterpretAsFloats();
            FloatVector p = FloatVector.broadcast(F, x[x0 + i]);
            a0 = u.fma(p, a0);
            c0 = v.fma(p, c0);
            p = FloatVector.broadcast(F, x[x1 + i]);
            a1 = u.fma(p, a1);
            c1 = v.fma(p, c1);
            p = FloatVector.broadcast(F, x[x2 + i]);
            a2 = u.fma(p, a2);
            c2 = v.fma(p, c2);
            p = FloatVector.broadcast(F, x[x3 + i]);
            a3 = u.fma(p, a3);
            c3 = v.fma(p, c3);
            u = g.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            v = h.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
            p = FloatVector.broadcast(F, x[x0 + i + 1]);
            a0 = u.fma(p, a0);
            c0 = v.fma(p, c0);
            p = FloatVector.broadcast(F, x[x1 + i + 1]);
            a1 = u.fma(p, a1);
            c1 = v.fma(p, c1);
            p = FloatVector.broadcast(F, x[x2 + i + 1]);
            a2 = u.fma(p, a2);
            c2 = v.fma(p, c2);
            p = FloatVector.broadcast(F, x[x3 + i + 1]);
            a3 = u.fma(p, a3);
            c3 = v.fma(p, c3);
        }
        if ((blk + 2) * BLOCK <= out) {
            int o = blk * BLOCK, r = b * out + o;
            a0.intoArray(y, r);
            c0.intoArray(y, r + BLOCK);
            a1.intoArray(y, r + out);
            c1.intoArray(y, r + out + BLOCK);
            a2.intoArray(y, r + 2 * out);
            c2.intoArray(y, r + 2 * out + BLOCK);
            a3.intoArray(y, r + 3 * out);
            c3.intoArray(y, r + 3 * out + BLOCK);
        } else {
            a0.intoArray(tail, 0);
            a1.intoArray(tail, LANES);
            a2.intoArray(tail, 2 * LANES);
            a3.intoArray(tail, 3 * LANES);
            c0.intoArray(tail, 4 * LANES);
            c1.intoArray(tail, 5 * LANES);
            c2.intoArray(tail, 6 * LANES);
            c3.intoArray(tail, 7 * LANES);
            for (int k = 0; k < 4; k++) {
                copyTail(tail, k, y, out, b + k, blk);
                copyTail(tail, 4 + k, y, out, b + k, blk + 1);
            }
        }
    }

    /*
     * The conversion, written out in every loop (a vector passed to or returned from a call that C2
     * does not inline is boxed: with helpers the batch-1 loop ran 10x slower in some JVM runs).
     * Sixteen packed halves, inputs i and i+1 of eight outputs, are read as eight ints (low half:
     * input i). Input i: the int shifted left by 16, then right by 3 with sign extension, holds the
     * half's magnitude in f32 position (bits 13-27) and copies of its sign in bits 28-31; clearing
     * bits 28-30 (mask 0x8FFF_FFFF) leaves a sign-magnitude float that is exactly f16(h) * 2^-112
     * (a half's subnormals become f32 subnormals, its normals f32 normals); the 2^112 is on the
     * inputs, so each FMA's exact product w'x' equals w*x. Input i+1: the int shifted right by 3,
     * masked with 0x8FFF_E000, which also clears bits 0-12 (the low half's top bits).
     */

}
