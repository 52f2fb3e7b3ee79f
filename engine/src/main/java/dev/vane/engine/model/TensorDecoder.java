package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Linear;
import dev.vane.attention.Attention;
import dev.vane.attention.AttentionMask;
import dev.vane.attention.Rope;
import dev.vane.attention.AttentionOptions;
import dev.vane.engine.cache.KvBudget;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.cache.KvDType;
import dev.vane.engine.cache.KvCacheTooLargeException;
import dev.vane.engine.cache.TensorKvCache;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.LayerGate;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.kernel.KernelPool;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The decoder on DJL tensors (PyTorch): training and autograd, and the f32 reference the Java
 * decoder is checked against. Every op is a tensor op, so gradients flow from the logits to the
 * weights and to whatever a {@link TensorHooks} hook adds.
 *
 * <p>Shape letters: B batch rows, T new tokens per row (padded), D hidden size, H query heads,
 * G KV heads, R = H/G query heads per KV head, Dh head dim, K attended keys, V vocabulary,
 * I MLP width.
 *
 * <pre>
 *   x = embed(ids)
 *   per layer l:  x = x + attn(rms(x))     (sites RESID_PRE, LAYER_GATE, ATTN_HEADS, ATTN_OUT)
 *                 x = x + mlp(rms(x))      (sites MLP_OUT, RESID_POST)
 *   logits = head(rms(x))                  (site LOGITS)
 * </pre>
 *
 * Hooks: at each site the offline {@link TensorHooks} first, then the rows' serving hooks
 * ({@link StepHooks}), which act on a copy of the site's values in a Java array (the same
 * effect classes as on the Java decoder); a site where nothing acts costs nothing.
 *
 * <p>Temporaries are created in the caller's {@code NDScope}; the model owns only its weights
 * and constants. Projections compute in {@link ComputeDType} (f16 inputs and weights for an f16
 * model); the residual stream, norms, RoPE, attention and logits stay in f32.
 *
 * <p>Thread safety: {@link #forward} may run concurrently for different caches.
 */
public final class TensorDecoder implements CausalLM {

    private final ModelConfig cfg;
    private final ModelWeights w;
    private final ComputeDType dtype;
    private final Backend backend;
    private final NDManager manager;
    private final int maxPositions;
    private final NDArray ropeCos;  // [P, Dh]
    private final NDArray ropeSin;  // [P, Dh], first half negated
    private final NDArray eps;      // scalar
    private final Attention attention;
    private final AttentionTime attentionTime;
    private final AttentionOptions attentionOptions;
    private final Optional<TensorBeacon> beacon;
    /** The attention nanoseconds of the step running on this thread. */
    private final ThreadLocal<long[]> stepAttentionNanos = ThreadLocal.withInitial(() -> new long[1]);

    TensorDecoder(ModelConfig cfg, ModelWeights weights, ComputeDType dtype, int maxPositions, NDManager manager, Backend backend,
                  AttentionOptions attentionOptions, Optional<TensorBeacon> beacon) {
        if (backend.kind() != Backend.Kind.TENSOR) throw new IllegalArgumentException("not a tensor backend: " + backend);
        this.cfg = cfg;
        this.w = weights;
        this.dtype = dtype;
        this.backend = backend;
        this.manager = manager;
        this.maxPositions = maxPositions;
        Rope.Tables t = Rope.tables(maxPositions, cfg.headDim(), cfg.ropeTheta(), cfg.ropeScaling());
        Shape table = new Shape(maxPositions, cfg.headDim());
        this.ropeCos = manager.create(t.cos(), table);
        this.ropeSin = manager.create(t.sinSigned(), table);
        this.eps = manager.create((float) cfg.rmsNormEps());
        this.attention = cfg.attention().kernel(cfg.headDim(), attentionOptions);
        this.attentionTime = new AttentionTime(cfg.attention(), cfg.headDim(), attention.label());
        this.attentionOptions = attentionOptions;
        this.beacon = beacon;
    }

    @Override public ModelConfig config() { return cfg; }
    @Override public AttentionTime attentionTime() { return attentionTime; }
    @Override public Backend backend() { return backend; }
    @Override public int maxPositions() { return maxPositions; }

    @Override
    public long weightBytes() {
        long n = 0;
        for (NDArray a : w.all()) n += a.size() * a.getDataType().getNumOfBytes();
        return n;
    }

    /** The parameters (trainable with autograd). */
    public ModelWeights weights() { return w; }

    /**
     * The Activation Beacon parameters of a checkpoint that has them ({@link #forwardBeacon});
     * the tensor decoder runs beacons only over whole sequences, so {@link #beacon} stays empty
     * and a request's beacon ratio runs on the Java decoder.
     */
    public Optional<TensorBeacon> beaconParameters() { return beacon; }

    public ComputeDType dtype() { return dtype; }

    /** The manager that owns the weights; a caller's per-model tensors may live in a sub-manager of it. */
    public NDManager manager() { return manager; }

    /** Always f32: the tensor decoder is the f32 reference. */
    @Override
    public KvDType kvDType() { return KvDType.F32; }

    /**
     * A cache of native f32 tensors, refused ({@link KvCacheTooLargeException}) when its capacity does
     * not fit physical memory beside the heap and the weights ({@link KvBudget#offHeap}).
     */
    @Override
    public TensorKvCache newCache(int slots, int capacity, KvDType dtype) {
        if (dtype != KvDType.F32) throw new IllegalArgumentException("the tensor backend keeps an f32 KV cache, not " + dtype.label());
        long weights = 0;
        for (NDArray a : w.all()) weights += a.size() * a.getDataType().getNumOfBytes();
        KvBudget.offHeap(weights).check(slots, capacity, KvCache.bytes(cfg.numLayers(), slots, cfg.numKvHeads(), capacity, cfg.headDim(), KvDType.F32));
        return new TensorKvCache(cfg, slots, capacity, manager);
    }

    @Override
    public void parallel(int n, KernelPool.Task task) {
        for (int i = 0; i < n; i++) task.run(i);
    }

    @Override
    public float[] forwardLogits(StepInput in, KvCache cache, StepHooks hooks, LogitsMode mode, float[] into) {
        float[] logits = forward(in, cache, TensorHooks.NONE, hooks, mode).toFloatArray();
        if (into == null || into.length < logits.length) return logits;
        System.arraycopy(logits, 0, into, 0, logits.length);
        return into;
    }

    /** A step over a cache made by {@link #newCache}, with offline tensor hooks and the rows' hooks. */
    public NDArray forward(StepInput in, KvCache cache, TensorHooks tensors, StepHooks rows, LogitsMode mode) {
        if (!(cache instanceof TensorKvCache c))
            throw new IllegalArgumentException("the tensor decoder steps over its own caches (newCache), not a " + cache.getClass().getSimpleName());
        return forward(in, new KvSource.Cached(c), tensors, rows, mode);
    }

    /** A step with no cache: each row attends over its own tokens only (training, scoring). */
    public NDArray forward(StepInput in, TensorHooks tensors, StepHooks rows, LogitsMode mode) {
        return forward(in, new KvSource.Local(), tensors, rows, mode);
    }

    /** {@link #forward(StepInput, TensorHooks, StepHooks, LogitsMode)} with tensor hooks only. */
    public NDArray forward(StepInput in, TensorHooks tensors, LogitsMode mode) {
        return forward(in, tensors, StepHooks.NONE, mode);
    }

    /** {@link #forward(StepInput, TensorHooks, StepHooks, LogitsMode)} with the rows' hooks only. */
    public NDArray forward(StepInput in, StepHooks rows, LogitsMode mode) {
        return forward(in, TensorHooks.NONE, rows, mode);
    }

    private NDArray forward(StepInput in, KvSource kv, TensorHooks tensors, StepHooks rows, LogitsMode mode) {
        CausalLM.checkPositions(in, maxPositions);
        for (int r = 0; r < in.rows(); r++)
            if (rows.attention(r).filter(o -> !o.equals(attentionOptions)).isPresent())
                throw new IllegalArgumentException("the tensor backend runs one attention setting for every row ("
                        + attention.label() + "); a row asked for " + rows.attention(r).get());
        int b = in.rows(), t = in.width();
        int[][] positions = in.positions();
        Sites sites = new Sites(tensors, rows, in.context());
        NDArray ids = manager.create(in.paddedIds(), new Shape(b, t));                  // [B, T]
        NDArray pos = manager.create(flatLong(positions), new Shape(b, t));             // [B, T]
        NDArray cos = ropeCos.get(new NDIndex("{}", pos)).expandDims(2);               // [B, T, 1, Dh]
        NDArray sin = ropeSin.get(new NDIndex("{}", pos)).expandDims(2);
        Masks masks = new Masks(positions, kv.keyPositions(in), b, t);

        NDArray x = embed(ids);                                                          // [B, T, D]
        long[] attentionNanos = stepAttentionNanos.get();
        attentionNanos[0] = 0;
        for (int l = 0; l < cfg.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            x = sites.apply(HookSite.of(l, Component.RESID_PRE), x);
            LayerGate gate = sites.gate(l);
            if (gate.skipsAll()) {
                projectKeysValues(l, lw, rmsNorm(x, lw.inputNorm()), in, kv, cos, sin); // skipped: K/V only
                sites.ran(l, gate);
            } else {
                NDArray before = x;
                NDArray a = attention(l, lw, rmsNorm(x, lw.inputNorm()), in, kv, cos, sin, masks.forLayer(l), sites);
                a = sites.apply(HookSite.of(l, Component.ATTN_OUT), a);
                x = x.add(a);
                NDArray f = mlp(lw, rmsNorm(x, lw.postNorm()));
                f = sites.apply(HookSite.of(l, Component.MLP_OUT), f);
                x = x.add(f);
                if (!gate.runsAll()) x = keepSkipped(gate, sites.ctx, before, x);
                sites.ran(l, LayerGate.RUN); // every position was computed: a partial skip saved nothing here
            }
            x = sites.apply(HookSite.of(l, Component.RESID_POST), x);
        }
        attentionTime.add(attention.label(), attentionNanos[0]);
        if (mode == LogitsMode.LAST) x = lastTokens(x, in);                            // [B, D]
        NDArray logits = linear(rmsNorm(x, w.finalNorm()), w.head(), Optional.empty());
        return sites.apply(HookSite.LOGITS, logits);
    }

    /**
     * Activation Beacon over whole rows (training, evaluation): each row is the
     * {@code layout.rawTokens()} raw tokens {@code rawIds[b]} in {@code layout}; returns the logits
     * of its raw entries, {@code [B, N, V]}. Every window is computed at once, as the serving loop
     * computes it window after window: its queries attend over the memory the closed windows left
     * (keys rotated for their memory positions from the projection's output) and over their own
     * window up to themselves. Beacon rows embed as the beacon embedding and project through the
     * beacon projections; everything else is the base model's. No hooks run.
     *
     * <pre>
     *   x = embed(ids), e_beacon at beacon rows                                     [B, E, D]
     *   per layer:  q, k, v = W_qkv·rms(x) (W^beacon_qkv at beacon rows), RoPE at the entries' positions
     *               window k:  o_k = attn(q_k, [k_memory rotated at 0..m−1 | k_k], [v_memory | v_k])
     *               x = x + W_o·o (W^beacon_o at beacon rows);  x = x + mlp(rms(x))
     *   logits = head(rms(x)) at the raw entries                                     [B, N, V]
     * </pre>
     */
    public NDArray forwardBeacon(int[][] rawIds, BeaconLayout layout) {
        TensorBeacon bp = beacon.orElseThrow(() -> new IllegalStateException("this model has no beacon parameters"));
        if (layout.maxPosition() >= maxPositions)
            throw new IllegalArgumentException("the beacon layout reaches position " + layout.maxPosition()
                    + ", beyond the " + maxPositions + " positions this decoder was loaded for");
        int b = rawIds.length, e = layout.entries(), d = cfg.hiddenSize();
        int nh = cfg.numHeads(), ng = cfg.numKvHeads(), dh = cfg.headDim();
        long[] ids = new long[b * e];
        boolean[] isBeacon = new boolean[b * e];
        for (int r = 0; r < b; r++) {
            int[] row = layout.ids(rawIds[r], cfg.vocabSize());
            for (int j = 0; j < e; j++) {
                isBeacon[r * e + j] = layout.isBeacon(j);
                ids[r * e + j] = layout.isBeacon(j) ? 0 : row[j];                           // looked up, then replaced
            }
        }
        NDArray beaconRows = manager.create(isBeacon, new Shape(b, e, 1));                 // [B, E, 1]
        NDArray pos = manager.create(java.util.Arrays.stream(layout.positions()).asLongStream().toArray());
        NDArray cos = ropeCos.get(new NDIndex("{}", pos)).reshape(1, e, 1, dh);             // [1, E, 1, Dh]
        NDArray sin = ropeSin.get(new NDIndex("{}", pos)).reshape(1, e, 1, dh);

        NDArray x = embed(manager.create(ids, new Shape(b, e)));                            // [B, E, D]
        x = select(beaconRows, bp.embed().reshape(1, 1, d).broadcast(b, e, d), x);
        for (int l = 0; l < cfg.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            NDArray h = rmsNorm(x, lw.inputNorm());
            NDArray[] own = bp.qkv(l, lw, cfg);
            NDArray qkv = select(beaconRows, linear(h, own[0], Optional.ofNullable(own[1])), linear(h, lw.qkv(), lw.qkvBias()))
                    .reshape(b, e, nh + 2L * ng, dh);                                        // [B, E, H+2G, Dh]
            NDList parts = qkv.split(new long[] {nh + ng}, 2);
            NDArray qk = parts.get(0), v = parts.get(1);                                    // [B, E, H+G, Dh], [B, E, G, Dh]
            if (lw.qkNorm().isPresent()) qk = rmsNorm(qk, lw.qkNorm().get());
            NDArray keys = qk.split(new long[] {nh}, 2).get(1);                             // [B, E, G, Dh] before RoPE
            NDList rotated = rope(qk, cos, sin).split(new long[] {nh}, 2);
            NDArray q = rotated.get(0), k = rotated.get(1);                                 // [B, E, H, Dh], [B, E, G, Dh]
            NDList outs = new NDList();
            for (BeaconLayout.Window win : layout.windows()) {
                NDIndex span = new NDIndex(":, {}:{}", win.start(), win.end());
                int n = win.size(), m = win.memory().length;
                NDArray kw = k.get(span), vw = v.get(span);                                 // [B, n, G, Dh]
                if (m > 0) {
                    NDIndex memory = new NDIndex(":, {}", manager.create(java.util.Arrays.stream(win.memory()).asLongStream().toArray()));
                    NDArray memCos = ropeCos.get(new NDIndex("0:{}", m)).reshape(1, m, 1, dh);
                    NDArray memSin = ropeSin.get(new NDIndex("0:{}", m)).reshape(1, m, 1, dh);
                    kw = rope(keys.get(memory), memCos, memSin).concat(kw, 1);               // [B, m+n, G, Dh]
                    vw = v.get(memory).concat(vw, 1);
                }
                NDArray qw = q.get(span).transpose(0, 2, 1, 3).reshape(b, ng, (long) cfg.groupSize() * n, dh); // [B, G, R*n, Dh]
                int[][] queryPos = {java.util.stream.IntStream.range(m, m + n).toArray()};
                int[][] keyPos = {java.util.stream.IntStream.range(0, m + n).toArray()};
                NDArray mask = manager.create(AttentionMask.additive(queryPos, keyPos, cfg.windowForLayer(l)), new Shape(1, 1, 1, n, m + n));
                NDArray o = attention.attend(qw, kw.transpose(0, 2, 1, 3), vw.transpose(0, 2, 1, 3), mask, cfg.groupSize());
                outs.add(o.reshape(b, nh, n, dh).transpose(0, 2, 1, 3).reshape(b, n, (long) nh * dh)); // [B, n, H·Dh]
            }
            NDArray att = NDArrays.concat(outs, 1);                                          // [B, E, H·Dh]
            x = x.add(select(beaconRows, linear(att, bp.o(l, lw), Optional.empty()), linear(att, lw.o(), Optional.empty())));
            x = x.add(mlp(lw, rmsNorm(x, lw.postNorm())));
        }
        NDArray raw = manager.create(java.util.Arrays.stream(layout.rawEntries()).asLongStream().toArray());
        return linear(rmsNorm(x.get(new NDIndex(":, {}", raw)), w.finalNorm()), w.head(), Optional.empty()); // [B, N, V]
    }

    /** {@code a} at the rows {@code rows [B, E, 1]} marks, {@code b} elsewhere ({@code a}, {@code b} of one shape). */
    private static NDArray select(NDArray rows, NDArray a, NDArray b) {
        return NDArrays.where(rows.broadcast(a.getShape()), a, b);
    }

    /**
     * The hooks at a step's sites: the tensor hooks on the NDArray, then the rows' hooks on a
     * copy of its values ({@code [B, T, width]}, or {@code [B, width]} for last-position logits),
     * which becomes the site's f32 tensor downstream.
     */
    private static final class Sites {
        private final TensorHooks tensors;
        private final StepHooks rows;
        private final StepContext ctx;

        Sites(TensorHooks tensors, StepHooks rows, StepContext ctx) {
            this.tensors = tensors;
            this.rows = rows;
            this.ctx = ctx;
        }

        LayerGate gate(int l) {
            return rows.gate(l, ctx);
        }

        void ran(int l, LayerGate executed) {
            rows.ran(l, executed, ctx);
        }

        NDArray apply(HookSite site, NDArray x) {
            if (tensors.actsAt(site, ctx)) x = tensors.apply(site, x, ctx);
            if (!rows.actsAt(site, ctx)) return x;
            Shape s = x.getShape();
            int b = (int) s.get(0);
            int tokens = s.dimension() == 2 ? 1 : (int) s.get(1);
            int width = (int) (s.size() / ((long) b * tokens));
            float[] data = (x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false)).toFloatArray();
            rows.apply(site, data, tokens, width, ctx);
            return x.getManager().create(data, s);
        }
    }

    private NDArray embed(NDArray ids) {
        NDArray e = ids.getNDArrayInternal().embedding(ids, w.embed(), SparseFormat.DENSE).singletonOrThrow();
        return e.getDataType() == DataType.FLOAT32 ? e : e.toType(DataType.FLOAT32, false);
    }

    /** {@code x · rsqrt(mean(x²) + eps) · weight}, over the last axis, in f32. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        int last = x.getShape().dimension() - 1;
        NDArray rms = x.square().mean(new int[] {last}, true).add(eps).sqrt();
        return x.div(rms).mul(weight);
    }

    /** {@code y = x·Wᵀ + b}, {@code [..., in] → [..., out]}, f32 in and out, the product in the compute dtype. */
    private NDArray linear(NDArray x, NDArray weight, Optional<NDArray> bias) {
        if (dtype == ComputeDType.F32) return Linear.linear(x, weight, bias.orElse(null)).singletonOrThrow();
        NDArray y = Linear.linear(x.toType(DataType.FLOAT16, false), weight, null).singletonOrThrow()
                .toType(DataType.FLOAT32, false);
        return bias.isPresent() ? y.add(bias.get()) : y;
    }

    /** Queries {@code [B, T, H, Dh]}, keys and values {@code [B, G, T, Dh]} of layer l, RoPE applied. */
    private NDArray[] queriesKeysValues(int l, LayerWeights lw, NDArray h, StepInput in, NDArray cos, NDArray sin) {
        int b = in.rows(), t = in.width();
        int nh = cfg.numHeads(), ng = cfg.numKvHeads(), dh = cfg.headDim();
        NDArray qkv = linear(h, lw.qkv(), lw.qkvBias()).reshape(b, t, nh + 2L * ng, dh); // [B, T, H+2G, Dh]
        NDList parts = qkv.split(new long[] {nh + ng}, 2);
        NDArray qk = parts.get(0);                                                        // [B, T, H+G, Dh]
        NDArray v = parts.get(1);                                                         // [B, T, G, Dh]
        if (lw.qkNorm().isPresent()) qk = rmsNorm(qk, lw.qkNorm().get());
        qk = rope(qk, cos, sin);
        NDList qkParts = qk.split(new long[] {nh}, 2);
        return new NDArray[] {qkParts.get(0), qkParts.get(1).transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3)};
    }

    /** A skipped layer: its keys and values are projected from the residual and cached, nothing else runs. */
    private void projectKeysValues(int l, LayerWeights lw, NDArray h, StepInput in, KvSource kv, NDArray cos, NDArray sin) {
        NDArray[] qkv = queriesKeysValues(l, lw, h, in, cos, sin);
        kv.keysAndValues(l, in, qkv[1], qkv[2]);
    }

    /** {@code after} where the gate runs the layer, {@code before} (bit for bit) where it skips. */
    private NDArray keepSkipped(LayerGate gate, StepContext ctx, NDArray before, NDArray after) {
        NDArray cond = manager.create(gate.mask(ctx), new Shape(ctx.batchSize(), ctx.tokensPerRow(), 1)).broadcast(before.getShape());
        return NDArrays.where(cond, before, after);
    }

    private NDArray attention(int l, LayerWeights lw, NDArray h, StepInput in, KvSource kv, NDArray cos, NDArray sin,
                              NDArray mask, Sites sites) {
        int b = in.rows(), t = in.width();
        int nh = cfg.numHeads(), ng = cfg.numKvHeads(), dh = cfg.headDim();
        NDArray[] qkv = queriesKeysValues(l, lw, h, in, cos, sin);
        NDArray q = qkv[0].transpose(0, 2, 1, 3).reshape(b, ng, (long) cfg.groupSize() * t, dh); // [B, G, R*T, Dh]
        NDArray[] keysValues = kv.keysAndValues(l, in, qkv[1], qkv[2]);                  // [B, G, K, Dh] each
        long a0 = System.nanoTime();
        NDArray o = attention.attend(q, keysValues[0], keysValues[1], mask, cfg.groupSize()); // [B, G, R*T, Dh]
        stepAttentionNanos.get()[0] += System.nanoTime() - a0;
        o = o.reshape(b, nh, t, dh).transpose(0, 2, 1, 3);                                // [B, T, H, Dh]
        o = sites.apply(HookSite.of(l, Component.ATTN_HEADS), o);
        return linear(o.reshape(b, t, (long) nh * dh), lw.o(), Optional.empty());         // [B, T, D]
    }

    /** {@code x·cos + [x₂, x₁]·[-sin, sin]}, i.e. HF's {@code x·cos + rotate_half(x)·sin}. */
    private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        int axis = x.getShape().dimension() - 1;
        NDList halves = x.split(2, axis);
        NDArray swapped = halves.get(1).concat(halves.get(0), axis);
        return x.mul(cos).add(swapped.mul(sin));
    }

    /** {@code down(silu(gate(x)) · up(x))}. */
    private NDArray mlp(LayerWeights lw, NDArray h) {
        NDArray gateUp = linear(h, lw.gateUp(), Optional.empty());                      // [B, T, 2I]
        NDList gu = gateUp.split(2, gateUp.getShape().dimension() - 1);
        NDArray gate = gu.get(0);
        NDArray act = gate.mul(ai.djl.nn.Activation.sigmoid(gate)).mul(gu.get(1));                           // [B, T, I]
        return linear(act, lw.down(), Optional.empty());
    }

    /** Each row's last real token: {@code [B, T, D] → [B, D]}. */
    private NDArray lastTokens(NDArray x, StepInput in) {
        int b = in.rows();
        if (b == 1) {
            int last = in.tokens()[0].length - 1;
            return x.get(new NDIndex(":, {}", last));
        }
        long[] rows = new long[b];
        long[] cols = new long[b];
        for (int r = 0; r < b; r++) {
            rows[r] = r;
            cols[r] = in.tokens()[r].length - 1;
        }
        return x.get(new NDIndex("{}, {}", manager.create(rows), manager.create(cols)));
    }

    /** Additive masks per distinct sliding window, or {@code null} when every key is visible. */
    private final class Masks {
        private final int[][] queries;
        private final int[][] keys;
        private final int b;
        private final int t;
        private final Map<Integer, Optional<NDArray>> byWindow = new HashMap<>();

        Masks(int[][] queries, int[][] keys, int b, int t) {
            this.queries = queries;
            this.keys = keys;
            this.b = b;
            this.t = t;
        }

        NDArray forLayer(int layer) {
            int window = cfg.windowForLayer(layer);
            return byWindow.computeIfAbsent(window, wdw -> {
                if (AttentionMask.allVisible(queries, keys, wdw)) return Optional.empty();
                float[] m = AttentionMask.additive(queries, keys, wdw);
                return Optional.of(manager.create(m, new Shape(b, 1, 1, t, keys[0].length)));
            }).orElse(null);
        }
    }

    private static long[] flatLong(int[][] a) {
        int w = a[0].length;
        long[] out = new long[a.length * w];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < w; j++) out[i * w + j] = a[i][j];
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
