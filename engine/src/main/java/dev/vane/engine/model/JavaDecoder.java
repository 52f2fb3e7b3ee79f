package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vane.attention.Rope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.ForwardHooks;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.LayerGate;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.kernel.F16Matrix;
import dev.vane.engine.kernel.KernelPool;
import dev.vane.engine.kernel.Lanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Optional;

/**
 * The whole cached forward step in Java over f32 activations and {@link F16Matrix} weights: the
 * same math as {@link CausalLM}'s tensor path, with no PyTorch call unless a hook acts.
 *
 * <p>Why: a decode step at batch 1 is ~40 tensor ops per layer (3–15 µs of JNI each, plus
 * PyTorch's OpenMP workers spinning after every op and competing with the kernel's threads for
 * the cores); in Java the small ops cost a few microseconds per layer and both cores go to the
 * f16 matrix products, which are bound by reading the weights once per step.
 *
 * <p>Rows: the step's {@code B × T} (right-padded) tokens are {@code N = B·T} rows; row
 * {@code n = b·T + t} sits at absolute position {@code start[b] + t} of cache slot
 * {@code slot[b]}. Padding tokens are computed and cached like real ones, exactly as in the
 * tensor path (their entries lie beyond the row's length and are overwritten later).
 *
 * <pre>
 *   x = embed(ids)
 *   per layer:  h = rms(x)·g₁;  [q|k|v] = Wqkv·h (+b);  q,k = rope(rmsₕ(q,k)·gqk)   (Qwen3 q/k norm)
 *               cache[slot, :, pos] = k, v
 *               o[h] = Σ_{j ≤ pos, j > pos − W} softmax_j(q[h]·K[j]/√Dh) · V[j]      (KV head h / R)
 *               x += Wo·o;   h = rms(x)·g₂;   x += Wdown·(silu(Wgate·h) ⊙ Wup·h)
 *   logits = Whead · rms(x)·g_f
 * </pre>
 *
 * Hooks: each site is handed an NDArray only where something may act. With
 * {@link ForwardHooks#NONE}, or a {@link HookRegistry} with nothing at the site, the site costs
 * nothing; elsewhere the hooks first get the Java array itself
 * ({@link ForwardHooks#applyInPlace}); if they decline, a fresh f32 NDArray of the site's shape,
 * and what {@code apply} returns (or writes into that array) is copied back.
 *
 * <p>Thread safety: {@link #forward} may run concurrently for different caches; the matrix
 * products are serialised by the shared {@link KernelPool}.
 */
final class JavaDecoder {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int LANES = 8;
    /** Attention runs on the pool above this many multiply-adds (below it the hand-off is not worth it). */
    private static final long PARALLEL_ATTENTION_WORK = 100_000;
    /** Rows × width of a SwiGLU from which its rows run on the pool (three rows of a 1536-wide MLP and up). */
    private static final long PARALLEL_SWIGLU_WORK = 4096;
    /** Rows from which the per-row work between products (norms, RoPE) runs on the pool: a prefill, not a decode step. */
    private static final int PARALLEL_ROWS = 32;

    private final ModelConfig cfg;
    private final NDManager manager;
    private final KernelPool pool;
    private final F16Matrix embedding;
    private final F16Matrix head;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final float[] cos;       // [P, Dh]
    private final float[] sinSigned; // [P, Dh], first half negated
    private final float eps;
    private final float scale;
    private final int d, nh, ng, dh, group, inter, qkvWidth, vocab, maxPositions;

    /** One layer's parameters: f16 matrices, f32 vectors. */
    record Layer(F16Matrix qkv, float[] qkvBias, float[] qkNorm, F16Matrix o, F16Matrix gateUp, F16Matrix down,
                 float[] inputNorm, float[] postNorm) {}

    JavaDecoder(ModelConfig cfg, NDManager manager, KernelPool pool, F16Matrix embedding, F16Matrix head, Layer[] layers,
                float[] finalNorm, int maxPositions) {
        this.cfg = cfg;
        this.manager = manager;
        this.pool = pool;
        this.embedding = embedding;
        this.head = head;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.maxPositions = maxPositions;
        Rope.Tables t = Rope.tables(maxPositions, cfg.headDim(), cfg.ropeTheta(), cfg.ropeScaling());
        this.cos = t.cos();
        this.sinSigned = t.sinSigned();
        this.eps = (float) cfg.rmsNormEps();
        this.scale = (float) (1.0 / Math.sqrt(cfg.headDim()));
        this.d = cfg.hiddenSize();
        this.nh = cfg.numHeads();
        this.ng = cfg.numKvHeads();
        this.dh = cfg.headDim();
        this.group = cfg.groupSize();
        this.inter = cfg.intermediateSize();
        this.qkvWidth = (nh + 2 * ng) * dh;
        this.vocab = cfg.vocabSize();
    }

    /** Whether the model's shapes suit this path (vector-width head dim and hidden sizes). */
    static boolean applicable(ModelConfig c) {
        return c.headDim() % LANES == 0 && c.hiddenSize() % LANES == 0 && c.intermediateSize() % LANES == 0;
    }

    static float[] floats(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    static float[] floats(Optional<NDArray> a) {
        return a.map(JavaDecoder::floats).orElse(null);
    }

    NDArray forward(StepInput in, KvCache cache, ForwardHooks hooks, LogitsMode mode) {
        Step s = step(in, cache, hooks, mode, null);
        return hooks.apply(HookSite.LOGITS, manager.create(s.logits(), s.shape()), s.sites().context());
    }

    /**
     * The step's logits as a Java array ({@code [rows × vocab]}, rows as in {@link LogitsMode}):
     * when no hook acts at the logits they never become an NDArray (at batch 8 on a 128k
     * vocabulary that saves copying 4 MB into native memory and back every step).
     */
    float[] logits(StepInput in, KvCache cache, ForwardHooks hooks, LogitsMode mode, float[] into) {
        Step s = step(in, cache, hooks, mode, into);
        if (hooks == ForwardHooks.NONE || !hooks.actsAt(HookSite.LOGITS, s.sites().context())) return s.logits();
        return hooks.apply(HookSite.LOGITS, manager.create(s.logits(), s.shape()), s.sites().context()).toFloatArray();
    }

    /** A step's logits before the {@link HookSite#LOGITS} site, their shape, and the step's hook sites. */
    private record Step(float[] logits, Shape shape, Sites sites) {}

    /** {@code into}: where the logits go when it holds {@code rows × vocab} floats (else a new array). */
    private Step step(StepInput in, KvCache cache, ForwardHooks hooks, LogitsMode mode, float[] into) {
        int b = in.rows(), t = in.width(), n = b * t;
        int[] start = in.start(), slot = in.slot();
        for (int r = 0; r < b; r++) {
            if (start[r] + t > cache.capacity())
                throw new IllegalStateException("KV cache capacity " + cache.capacity() + " exceeded at position " + (start[r] + t));
            if (slot[r] < 0 || slot[r] >= cache.slots())
                throw new IllegalArgumentException("slot " + slot[r] + " outside the cache's " + cache.slots());
        }
        Sites sites = new Sites(hooks, in);
        int[] pos = new int[n];
        long[] ids = in.paddedIds();
        float[] x = new float[n * d];
        for (int r = 0; r < n; r++) {
            pos[r] = start[r / t] + r % t;
            embedding.row((int) ids[r], x, r * d);
        }
        float[] h = new float[n * d];
        float[] qkv = new float[n * qkvWidth];
        float[] att = new float[n * nh * dh];
        float[] a = new float[n * d];
        float[] gu = new float[n * 2 * inter];
        float[] act = new float[n * inter];
        Shape hidden = new Shape(b, t, d);
        Shape heads = new Shape(b, t, nh, dh);

        for (int l = 0; l < layers.length; l++) {
            Layer lw = layers[l];
            sites.apply(HookSite.of(l, Component.RESID_PRE), x, hidden);
            LayerGate gate = sites.gate(l);
            rmsNorm(x, n, d, lw.inputNorm, 0, h);
            lw.qkv.multiply(h, n, qkv, pool);
            if (lw.qkvBias != null) addRows(qkv, n, lw.qkvBias);
            positionalQk(qkv, n, pos, lw.qkNorm);
            store(cache, l, qkv, b, t, slot, pos);
            if (gate.skipsAll()) { // skipped: the K/V projections are cached, nothing else runs
                sites.apply(HookSite.of(l, Component.RESID_POST), x, hidden);
                continue;
            }
            float[] before = gate.runsAll() ? null : x.clone();
            attend(cache, l, qkv, att, b, t, slot, pos, cfg.windowForLayer(l));
            sites.apply(HookSite.of(l, Component.ATTN_HEADS), att, heads);
            lw.o.multiply(att, n, a, pool);
            sites.apply(HookSite.of(l, Component.ATTN_OUT), a, hidden);
            add(x, a);
            rmsNorm(x, n, d, lw.postNorm, 0, h);
            lw.gateUp.multiply(h, n, gu, pool);
            swiGlu(gu, n, act);
            lw.down.multiply(act, n, a, pool);
            sites.apply(HookSite.of(l, Component.MLP_OUT), a, hidden);
            add(x, a);
            if (before != null) // positions that skip keep the residual they entered with
                for (int r = 0; r < b; r++)
                    for (int p = 0; p < t; p++)
                        if (gate.skips(r, p)) System.arraycopy(before, (r * t + p) * d, x, (r * t + p) * d, d);
            sites.apply(HookSite.of(l, Component.RESID_POST), x, hidden);
        }

        int rows;
        Shape logitsShape;
        float[] last;
        if (mode == LogitsMode.LAST) {
            rows = b;
            logitsShape = new Shape(b, vocab);
            last = new float[b * d];
            for (int r = 0; r < b; r++)
                System.arraycopy(x, (r * t + in.tokens()[r].length - 1) * d, last, r * d, d);
        } else {
            rows = n;
            logitsShape = new Shape(b, t, vocab);
            last = x;
        }
        float[] normed = new float[rows * d];
        rmsNorm(last, rows, d, finalNorm, 0, normed);
        float[] logits = into != null && into.length >= rows * vocab ? into : new float[rows * vocab];
        head.multiply(normed, rows, logits, pool);
        return new Step(logits, logitsShape, sites);
    }

    /** The hook sites of one step: materialised only where a hook may act. */
    private final class Sites {
        private final ForwardHooks hooks;
        private final StepInput in;
        private StepContext ctx;

        Sites(ForwardHooks hooks, StepInput in) {
            this.hooks = hooks;
            this.in = in;
        }

        StepContext context() {
            if (ctx == null) ctx = in.context();
            return ctx;
        }

        /** Which positions skip layer {@code l} ({@link LayerGate#RUN} without hooks). */
        LayerGate gate(int l) {
            return hooks == ForwardHooks.NONE ? LayerGate.RUN : hooks.gate(l, context());
        }

        void apply(HookSite site, float[] data, Shape shape) {
            if (hooks == ForwardHooks.NONE) return;
            if (!hooks.actsAt(site, context())) return;
            if (hooks.applyInPlace(site, data, shape, context())) return;
            NDArray x = manager.create(data, shape);
            NDArray y = hooks.apply(site, x, context());
            float[] back = floats(y);
            if (back.length != data.length)
                throw new IllegalStateException("hook at " + site + " changed the shape " + shape + " to " + y.getShape());
            System.arraycopy(back, 0, data, 0, data.length);
        }
    }

    /** {@code out[r] = x[r] / sqrt(mean(x[r]²) + eps) · g} for each of {@code rows} rows of width {@code w}. */
    private void rmsNorm(float[] x, int rows, int w, float[] g, int gOffset, float[] out) {
        rowsOnPool(rows, PARALLEL_ROWS, (from, to) -> {
            for (int r = from; r < to; r++) rmsRow(x, r * w, w, g, gOffset, out, r * w, eps);
        });
    }

    private interface RowRange {
        void run(int from, int to);
    }

    /**
     * {@code work} over rows {@code [0, rows)}: on this thread below {@code minRows} rows, else in
     * chunks on the pool (a 256-row prefill spent ~10% of its step in norms, RoPE and input
     * scaling on the calling thread while the other core waited).
     */
    private void rowsOnPool(int rows, int minRows, RowRange work) {
        if (rows < Math.max(2, minRows)) {
            work.run(0, rows);
            return;
        }
        int chunks = Math.min(rows, 4 * pool.threads());
        pool.run(chunks, c -> work.run(rows * c / chunks, rows * (c + 1) / chunks));
    }

    static void rmsRow(float[] x, int off, int w, float[] g, int gOff, float[] out, int outOff, float eps) {
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

    private static void addRows(float[] y, int rows, float[] bias) {
        int w = bias.length;
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < w; i++) y[r * w + i] += bias[i];
    }

    private static void add(float[] x, float[] a) {
        for (int i = 0; i < x.length; i++) x[i] += a[i];
    }

    /** Qwen3's per-head RMSNorm of q and k (when present), then RoPE on the q and k heads of every row. */
    private void positionalQk(float[] qkv, int n, int[] pos, float[] qkNorm) {
        rowsOnPool(n, PARALLEL_ROWS, (from, to) -> positionalQk(qkv, from, to, pos, qkNorm));
    }

    private void positionalQk(float[] qkv, int from, int to, int[] pos, float[] qkNorm) {
        int half = dh / 2;
        for (int r = from; r < to; r++) {
            int table = pos[r] * dh;
            for (int hd = 0; hd < nh + ng; hd++) {
                int off = r * qkvWidth + hd * dh;
                if (qkNorm != null) rmsRow(qkv, off, dh, qkNorm, hd * dh, qkv, off, eps);
                // (lo, hi) ← (lo·cos − hi·sin, hi·cos + lo·sin), the first half of sinSigned negated
                int i = 0;
                for (; i + LANES <= half; i += LANES) {
                    FloatVector lo = FloatVector.fromArray(F, qkv, off + i);
                    FloatVector hi = FloatVector.fromArray(F, qkv, off + half + i);
                    lo.mul(FloatVector.fromArray(F, cos, table + i))
                            .add(hi.mul(FloatVector.fromArray(F, sinSigned, table + i))).intoArray(qkv, off + i);
                    hi.mul(FloatVector.fromArray(F, cos, table + half + i))
                            .add(lo.mul(FloatVector.fromArray(F, sinSigned, table + half + i))).intoArray(qkv, off + half + i);
                }
                for (; i < half; i++) {
                    float lo = qkv[off + i], hi = qkv[off + half + i];
                    qkv[off + i] = lo * cos[table + i] + hi * sinSigned[table + i];
                    qkv[off + half + i] = hi * cos[table + half + i] + lo * sinSigned[table + half + i];
                }
            }
        }
    }

    /** Writes every row's k and v into its slot at its position. */
    private void store(KvCache cache, int layer, float[] qkv, int b, int t, int[] slot, int[] pos) {
        int cap = cache.capacity();
        for (int r = 0; r < b * t; r++) {
            float[] keys = cache.javaKeys(layer, slot[r / t]);
            float[] values = cache.javaValues(layer, slot[r / t]);
            for (int g = 0; g < ng; g++) {
                int dst = (g * cap + pos[r]) * dh;
                System.arraycopy(qkv, r * qkvWidth + (nh + g) * dh, keys, dst, dh);
                System.arraycopy(qkv, r * qkvWidth + (nh + ng + g) * dh, values, dst, dh);
            }
        }
    }

    /** Per thread: the attention scores of one (row, KV head) item, grown as positions grow (was an array per item: ~700 per decode step). */
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    /** Causal (optionally windowed) softmax attention of every row over its slot, into {@code att [N, H, Dh]}. */
    private void attend(KvCache cache, int layer, float[] qkv, float[] att, int b, int t, int[] slot, int[] pos,
                        int window) {
        int n = b * t;
        long work = 0;
        for (int r = 0; r < n; r++) work += (long) (pos[r] + 1) * nh * dh;
        int items = n * ng;
        if (work < PARALLEL_ATTENTION_WORK || items == 1) {
            attendItems(cache, layer, qkv, att, t, slot, pos, window, 0, items);
            return;
        }
        pool.run(items, item -> attendItems(cache, layer, qkv, att, t, slot, pos, window, item, item + 1));
    }

    /**
     * Items {@code [from, to)} of {@code (row, KV head)} pairs: the R query heads sharing that KV head.
     *
     * <p>Each score is the 8-lane FMA chain of {@link #dot} and its fixed tree; each output element
     * the FMA chain {@code Σ_j p_j·V[j]} in key order, scaled by {@code 1/Σp} at the end. The loops
     * run eight of those chains side by side (eight keys per query for the scores, eight 8-lane
     * slices of a head for the values): one chain at a time waited on the FMA latency at every
     * step, which made attention 13% of a batch-8 decode step (4.2 of 32.8 ms at ~100 positions).
     * Every chain keeps its own order, so the bits are those of one chain at a time.
     */
    private void attendItems(KvCache cache, int layer, float[] qkv, float[] att, int t, int[] slot, int[] pos,
                             int window, int from, int to) {
        int cap = cache.capacity();
        float[] scores = SCORES.get();
        for (int item = from; item < to; item++) {
            int r = item / ng, g = item % ng;
            int p = pos[r];
            int lo = window > 0 ? Math.max(0, p - window + 1) : 0;
            int keysN = p - lo + 1;
            if (scores.length < group * keysN) SCORES.set(scores = new float[group * keysN]);
            float[] keys = cache.javaKeys(layer, slot[r / t]);
            float[] values = cache.javaValues(layer, slot[r / t]);
            int kv0 = (g * cap + lo) * dh; // key/value j of this window at kv0 + j·dh
            int qBase = r * qkvWidth + g * group * dh;
            for (int q = 0; q < group; q++) scoreRow(qkv, qBase + q * dh, keys, kv0, keysN, scores, q * keysN);
            for (int q = 0; q < group; q++) {
                int s0 = q * keysN;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < keysN; j++) max = Math.max(max, scores[s0 + j]);
                float inv = 1f / expInPlace(scores, s0, keysN, max);
                mixValues(scores, s0, keysN, values, kv0, att, (r * nh + g * group + q) * dh, inv);
            }
        }
    }

    /** {@code s[s0 + j] = dot(q, K[j]) · scale} for the {@code n} keys at {@code k0 + j·dh}; eight keys at a time. */
    private void scoreRow(float[] qkv, int q0, float[] keys, int k0, int n, float[] s, int s0) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int k = k0 + j * dh;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
            for (int i = 0; i < dh; i += LANES) {
                FloatVector qv = FloatVector.fromArray(F, qkv, q0 + i);
                a0 = qv.fma(FloatVector.fromArray(F, keys, k + i), a0);
                a1 = qv.fma(FloatVector.fromArray(F, keys, k + dh + i), a1);
                a2 = qv.fma(FloatVector.fromArray(F, keys, k + 2 * dh + i), a2);
                a3 = qv.fma(FloatVector.fromArray(F, keys, k + 3 * dh + i), a3);
                a4 = qv.fma(FloatVector.fromArray(F, keys, k + 4 * dh + i), a4);
                a5 = qv.fma(FloatVector.fromArray(F, keys, k + 5 * dh + i), a5);
                a6 = qv.fma(FloatVector.fromArray(F, keys, k + 6 * dh + i), a6);
                a7 = qv.fma(FloatVector.fromArray(F, keys, k + 7 * dh + i), a7);
            }
            // Lanes.sum's tree, written out (no vector crosses a call)
            a0 = a0.add(a0.rearrange(Lanes.HALVES)); a0 = a0.add(a0.rearrange(Lanes.PAIRS)); a0 = a0.add(a0.rearrange(Lanes.NEIGHBOURS));
            a1 = a1.add(a1.rearrange(Lanes.HALVES)); a1 = a1.add(a1.rearrange(Lanes.PAIRS)); a1 = a1.add(a1.rearrange(Lanes.NEIGHBOURS));
            a2 = a2.add(a2.rearrange(Lanes.HALVES)); a2 = a2.add(a2.rearrange(Lanes.PAIRS)); a2 = a2.add(a2.rearrange(Lanes.NEIGHBOURS));
            a3 = a3.add(a3.rearrange(Lanes.HALVES)); a3 = a3.add(a3.rearrange(Lanes.PAIRS)); a3 = a3.add(a3.rearrange(Lanes.NEIGHBOURS));
            a4 = a4.add(a4.rearrange(Lanes.HALVES)); a4 = a4.add(a4.rearrange(Lanes.PAIRS)); a4 = a4.add(a4.rearrange(Lanes.NEIGHBOURS));
            a5 = a5.add(a5.rearrange(Lanes.HALVES)); a5 = a5.add(a5.rearrange(Lanes.PAIRS)); a5 = a5.add(a5.rearrange(Lanes.NEIGHBOURS));
            a6 = a6.add(a6.rearrange(Lanes.HALVES)); a6 = a6.add(a6.rearrange(Lanes.PAIRS)); a6 = a6.add(a6.rearrange(Lanes.NEIGHBOURS));
            a7 = a7.add(a7.rearrange(Lanes.HALVES)); a7 = a7.add(a7.rearrange(Lanes.PAIRS)); a7 = a7.add(a7.rearrange(Lanes.NEIGHBOURS));
            s[s0 + j] = a0.lane(0) * scale;
            s[s0 + j + 1] = a1.lane(0) * scale;
            s[s0 + j + 2] = a2.lane(0) * scale;
            s[s0 + j + 3] = a3.lane(0) * scale;
            s[s0 + j + 4] = a4.lane(0) * scale;
            s[s0 + j + 5] = a5.lane(0) * scale;
            s[s0 + j + 6] = a6.lane(0) * scale;
            s[s0 + j + 7] = a7.lane(0) * scale;
        }
        for (; j < n; j++) s[s0 + j] = dot(qkv, q0, keys, k0 + j * dh, dh) * scale;
    }

    /**
     * {@code att[o ..+dh] = inv · Σ_j s[s0 + j] · V[j]} over the {@code n} values at {@code v0 + j·dh}:
     * eight 8-lane slices of the head at a time, each an FMA chain in key order.
     */
    private void mixValues(float[] s, int s0, int n, float[] values, int v0, float[] att, int o, float inv) {
        int i = 0;
        for (; i + 8 * LANES <= dh; i += 8 * LANES) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
            for (int j = 0, v = v0 + i; j < n; j++, v += dh) {
                FloatVector pj = FloatVector.broadcast(F, s[s0 + j]);
                a0 = FloatVector.fromArray(F, values, v).fma(pj, a0);
                a1 = FloatVector.fromArray(F, values, v + LANES).fma(pj, a1);
                a2 = FloatVector.fromArray(F, values, v + 2 * LANES).fma(pj, a2);
                a3 = FloatVector.fromArray(F, values, v + 3 * LANES).fma(pj, a3);
                a4 = FloatVector.fromArray(F, values, v + 4 * LANES).fma(pj, a4);
                a5 = FloatVector.fromArray(F, values, v + 5 * LANES).fma(pj, a5);
                a6 = FloatVector.fromArray(F, values, v + 6 * LANES).fma(pj, a6);
                a7 = FloatVector.fromArray(F, values, v + 7 * LANES).fma(pj, a7);
            }
            a0.mul(inv).intoArray(att, o + i);
            a1.mul(inv).intoArray(att, o + i + LANES);
            a2.mul(inv).intoArray(att, o + i + 2 * LANES);
            a3.mul(inv).intoArray(att, o + i + 3 * LANES);
            a4.mul(inv).intoArray(att, o + i + 4 * LANES);
            a5.mul(inv).intoArray(att, o + i + 5 * LANES);
            a6.mul(inv).intoArray(att, o + i + 6 * LANES);
            a7.mul(inv).intoArray(att, o + i + 7 * LANES);
        }
        for (; i < dh; i += LANES) { // head dims beyond a multiple of 64: one slice at a time
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0, v = v0 + i; j < n; j++, v += dh) acc = FloatVector.fromArray(F, values, v).fma(FloatVector.broadcast(F, s[s0 + j]), acc);
            acc.mul(inv).intoArray(att, o + i);
        }
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < len; i += LANES)
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        acc = acc.add(acc.rearrange(Lanes.HALVES)); // Lanes.sum written out: no vector crosses a call
        acc = acc.add(acc.rearrange(Lanes.PAIRS));
        acc = acc.add(acc.rearrange(Lanes.NEIGHBOURS));
        return acc.lane(0);
    }

    /** {@code s[i] = exp(s[i] − max)} over {@code [off, off+len)}; returns their sum. */
    static float expInPlace(float[] s, int off, int len, float max) {
        FloatVector m = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            FloatVector e = Lanes.exp(FloatVector.fromArray(F, s, off + i).sub(m));
            e.intoArray(s, off + i);
            acc = acc.add(e);
        }
        float sum = Lanes.sum(acc);
        for (; i < len; i++) {
            float e = Lanes.exp(s[off + i] - max);
            s[off + i] = e;
            sum += e;
        }
        return sum;
    }

    /** {@code act[r] = silu(gate[r]) ⊙ up[r]} where each row of {@code gu} is {@code [gate | up]}. */
    private void swiGlu(float[] gu, int n, float[] act) {
        rowsOnPool(n, (int) ((PARALLEL_SWIGLU_WORK + inter - 1) / inter), (from, to) -> swiGluRows(gu, from, to, act));
    }

    private void swiGluRows(float[] gu, int from, int to, float[] act) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int r = from; r < to; r++) {
            int g0 = r * 2 * inter, u0 = g0 + inter, a0 = r * inter;
            int i = 0;
            for (; i + LANES <= inter; i += LANES) {
                FloatVector g = FloatVector.fromArray(F, gu, g0 + i);
                FloatVector sig = one.div(one.add(Lanes.exp(g.neg())));
                g.mul(sig).mul(FloatVector.fromArray(F, gu, u0 + i)).intoArray(act, a0 + i);
            }
            for (; i < inter; i++) {
                float g = gu[g0 + i];
                act[a0 + i] = g * (1f / (1f + Lanes.exp(-g))) * gu[u0 + i];
            }
        }
    }
}
