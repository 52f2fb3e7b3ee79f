package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.vane.attention.AttentionKernel;
import dev.vane.attention.AttentionMask;
import dev.vane.attention.Rope;
import dev.vane.attention.SoftmaxAttention;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.ForwardHooks;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.LayerGate;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.kernel.F16Matrix;
import dev.vane.engine.kernel.KernelPool;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A pre-norm decoder (Llama, Mistral, Qwen2, Qwen3) with hook sites.
 *
 * <p>Shape letters: B batch rows, T new tokens per row (padded), D hidden size, H query heads,
 * G KV heads, R = H/G query heads per KV head, Dh head dim, K attended keys, V vocabulary,
 * I MLP width.
 *
 * <pre>
 *   x = embed(ids)
 *   per layer l:  x = x + attn(rms(x))     (sites RESID_PRE, ATTN_HEADS, ATTN_OUT)
 *                 x = x + mlp(rms(x))      (sites MLP_OUT, RESID_POST)
 *   logits = head(rms(x))                  (site LOGITS)
 * </pre>
 *
 * Temporaries are created in the caller's {@code NDScope}; the model owns only its weights
 * and constants. Thread safety: {@link #forward} may run concurrently for different caches.
 */
public final class CausalLM implements AutoCloseable {

    private final ModelConfig cfg;
    private final ModelWeights w;          // norms always; projections only when kernels == null
    private final Kernels kernels;         // Java f16 projections, or null for PyTorch ones
    private final JavaDecoder decoder;     // the cached step in Java (with kernels), or null
    private final ComputeDType dtype;
    private final NDManager manager;
    private final int maxPositions;
    private final NDArray ropeCos;  // [P, Dh]
    private final NDArray ropeSin;  // [P, Dh], first half negated
    private final NDArray eps;      // scalar
    private final AttentionKernel kernel;

    public CausalLM(ModelConfig cfg, ModelWeights weights, ComputeDType dtype, int maxPositions, NDManager manager) {
        this(cfg, weights, dtype, maxPositions, manager, 0);
    }

    /**
     * @param kernelThreads with f16 compute on an AVX2-capable CPU and {@code kernelThreads > 0},
     *        projections run in the Java f16 kernel on that many threads (inference only: the
     *        f16 projection arrays are released); 0 keeps every projection in PyTorch
     */
    public CausalLM(ModelConfig cfg, ModelWeights weights, ComputeDType dtype, int maxPositions, NDManager manager,
                    int kernelThreads) {
        this.cfg = cfg;
        this.w = weights;
        this.kernels = dtype == ComputeDType.F16 && kernelThreads > 0 && Kernels.applicable(cfg)
                ? new Kernels(weights, kernelThreads) : null;
        this.dtype = dtype;
        this.manager = manager;
        this.maxPositions = maxPositions;
        this.decoder = kernels != null && JavaDecoder.applicable(cfg)
                ? kernels.decoder(cfg, weights, manager, maxPositions) : null;
        Rope.Tables t = Rope.tables(maxPositions, cfg.headDim(), cfg.ropeTheta(), cfg.ropeScaling());
        Shape table = new Shape(maxPositions, cfg.headDim());
        this.ropeCos = manager.create(t.cos(), table);
        this.ropeSin = manager.create(t.sinSigned(), table);
        this.eps = manager.create((float) cfg.rmsNormEps());
        this.kernel = new SoftmaxAttention(manager.create((float) (1.0 / Math.sqrt(cfg.headDim()))));
    }

    public ModelConfig config() { return cfg; }
    /** The parameters; not available when the Java f16 kernels own the projections. */
    public ModelWeights weights() {
        if (kernels != null) throw new IllegalStateException("an f16 inference model exposes no trainable weights");
        return w;
    }

    /** Whether projections run in the Java f16 kernel. */
    public boolean usesJavaKernels() { return kernels != null; }

    /**
     * Runs {@code task} for {@code 0 .. n-1} on the Java kernel's threads (this one included), or
     * in order on this thread when the projections run in PyTorch; returns when all are done and
     * rethrows a task's exception. For per-row work around a step (sampling, detokenising); a
     * task must not run a forward step or anything else on this model's pool (the pool runs one
     * section at a time, so that would wait on itself).
     */
    public void parallel(int n, KernelPool.Task task) {
        if (kernels != null) {
            kernels.pool.run(n, task);
        } else {
            for (int i = 0; i < n; i++) task.run(i);
        }
    }

    public ComputeDType dtype() { return dtype; }
    public int maxPositions() { return maxPositions; }
    public NDManager manager() { return manager; }

    /**
     * A step over a KV cache: rows append their tokens to their slots. With the Java f16 kernels
     * the whole step runs in Java ({@link JavaDecoder}); a cache then holds Java arrays and serves
     * this path only.
     */
    public NDArray forward(StepInput in, KvCache cache, ForwardHooks hooks, LogitsMode mode) {
        if (decoder != null) {
            checkPositions(in);
            return decoder.forward(in, cache, hooks, mode);
        }
        return forward(in, new KvSource.Cached(cache), hooks, mode);
    }

    /**
     * {@link #forward(StepInput, KvCache, ForwardHooks, LogitsMode)} as a Java array
     * {@code [rows × vocab]}; on the Java path the logits stay in Java unless a hook acts on them.
     */
    public float[] forwardLogits(StepInput in, KvCache cache, ForwardHooks hooks, LogitsMode mode) {
        return forwardLogits(in, cache, hooks, mode, null);
    }

    /**
     * As {@link #forwardLogits(StepInput, KvCache, ForwardHooks, LogitsMode)}, writing the logits
     * into {@code into} when it holds {@code rows × vocab} floats and the Java path computes them
     * (then returning it; else a new array): a caller that steps repeatedly keeps one buffer
     * instead of a fresh 4 MB array per batch-8 step on a 128k vocabulary.
     */
    public float[] forwardLogits(StepInput in, KvCache cache, ForwardHooks hooks, LogitsMode mode, float[] into) {
        if (decoder != null) {
            checkPositions(in);
            return decoder.logits(in, cache, hooks, mode, into);
        }
        return forward(in, new KvSource.Cached(cache), hooks, mode).toFloatArray();
    }

    private void checkPositions(StepInput in) {
        int t = in.width();
        for (int[] row : in.positions())
            if (row[t - 1] >= maxPositions)
                throw new IllegalArgumentException("position " + row[t - 1] + " beyond the model's " + maxPositions);
    }

    /** A step with no cache: each row attends over its own tokens only (training, scoring). */
    public NDArray forward(StepInput in, ForwardHooks hooks, LogitsMode mode) {
        return forward(in, new KvSource.Local(), hooks, mode);
    }

    private NDArray forward(StepInput in, KvSource kv, ForwardHooks hooks, LogitsMode mode) {
        int b = in.rows(), t = in.width();
        int[][] positions = in.positions();
        checkPositions(in);
        StepContext ctx = in.context();
        NDArray ids = manager.create(in.paddedIds(), new Shape(b, t));                  // [B, T]
        NDArray pos = manager.create(flatLong(positions), new Shape(b, t));             // [B, T]
        NDArray cos = ropeCos.get(new NDIndex("{}", pos)).expandDims(2);               // [B, T, 1, Dh]
        NDArray sin = ropeSin.get(new NDIndex("{}", pos)).expandDims(2);
        Masks masks = new Masks(positions, kv.keyPositions(in), b, t);

        NDArray x = embed(ids);                                                          // [B, T, D]
        for (int l = 0; l < cfg.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            x = hooks.apply(HookSite.of(l, Component.RESID_PRE), x, ctx);
            LayerGate gate = hooks.gate(l, ctx);
            if (gate.skipsAll()) {
                projectKeysValues(l, lw, rmsNorm(x, lw.inputNorm()), in, kv, cos, sin); // skipped: K/V only
            } else {
                NDArray before = x;
                NDArray a = attention(l, lw, rmsNorm(x, lw.inputNorm()), in, kv, cos, sin, masks.forLayer(l), hooks, ctx);
                a = hooks.apply(HookSite.of(l, Component.ATTN_OUT), a, ctx);
                x = x.add(a);
                NDArray f = mlp(l, rmsNorm(x, lw.postNorm()));
                f = hooks.apply(HookSite.of(l, Component.MLP_OUT), f, ctx);
                x = x.add(f);
                if (!gate.runsAll()) x = keepSkipped(gate, ctx, before, x);
            }
            x = hooks.apply(HookSite.of(l, Component.RESID_POST), x, ctx);
        }
        if (mode == LogitsMode.LAST) x = lastTokens(x, in);                            // [B, D]
        NDArray logits = projection(Kind.HEAD, -1).apply(rmsNorm(x, w.finalNorm()));
        return hooks.apply(HookSite.LOGITS, logits, ctx);
    }

    private NDArray embed(NDArray ids) {
        if (kernels != null) return kernels.embed(ids, cfg.hiddenSize());
        NDArray e = ids.getNDArrayInternal().embedding(ids, w.embed(), SparseFormat.DENSE).singletonOrThrow();
        return e.getDataType() == DataType.FLOAT32 ? e : e.toType(DataType.FLOAT32, false);
    }

    /** {@code x · rsqrt(mean(x²) + eps) · weight}, over the last axis, in f32. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        int last = x.getShape().dimension() - 1;
        NDArray rms = x.square().mean(new int[] {last}, true).add(eps).sqrt();
        return x.div(rms).mul(weight);
    }

    private enum Kind { QKV, O, GATE_UP, DOWN, HEAD }

    private Projection projection(Kind kind, int layer) {
        if (kernels != null) return kernels.get(kind, layer);
        if (kind == Kind.HEAD) return new Projection.Djl(w.head(), Optional.empty(), dtype);
        LayerWeights lw = w.layers().get(layer);
        return switch (kind) {
            case QKV -> new Projection.Djl(lw.qkv(), lw.qkvBias(), dtype);
            case O -> new Projection.Djl(lw.o(), Optional.empty(), dtype);
            case GATE_UP -> new Projection.Djl(lw.gateUp(), Optional.empty(), dtype);
            case DOWN -> new Projection.Djl(lw.down(), Optional.empty(), dtype);
            case HEAD -> throw new AssertionError();
        };
    }

    /** The projections moved into the Java f16 kernel at construction. */
    private static final class Kernels implements AutoCloseable {
        private final KernelPool pool;
        private final Projection[][] layers; // [layer][kind]
        private final Projection head;
        private final F16Matrix embedding;
        private final F16Matrix headMatrix;
        private final F16Matrix[][] matrices; // [layer][QKV, O, GATE_UP, DOWN]

        static boolean applicable(ModelConfig c) {
            return F16Gemv.supported() && F16Matrix.fits(c.hiddenSize()) && F16Matrix.fits(c.intermediateSize())
                    && F16Matrix.fits((long) c.numHeads() * c.headDim());
        }

        Kernels(ModelWeights w, int threads) {
            // the kernels' JIT warm-up, beside the packing of the weights (once per JVM)
            Thread warmUp = Thread.ofPlatform().daemon().name("vane-kernel-warm-up").start(F16Gemv::warmUp);
            this.pool = new KernelPool(threads);
            this.layers = new Projection[w.layers().size()][];
            this.matrices = new F16Matrix[layers.length][];
            for (int l = 0; l < layers.length; l++) {
                LayerWeights lw = w.layers().get(l);
                F16Matrix[] m = {move(lw.qkv(), "qkv[" + l + "]"), move(lw.o(), "o[" + l + "]"),
                        move(lw.gateUp(), "gate_up[" + l + "]"), move(lw.down(), "down[" + l + "]")};
                matrices[l] = m;
                layers[l] = new Projection[] {
                        new Projection.F16(m[0], lw.qkvBias(), pool),
                        new Projection.F16(m[1], Optional.empty(), pool),
                        new Projection.F16(m[2], Optional.empty(), pool),
                        new Projection.F16(m[3], Optional.empty(), pool)};
            }
            this.embedding = move(w.embed(), "embed");
            this.headMatrix = w.lmHead().map(h -> move(h, "lm_head")).orElse(embedding);
            this.head = new Projection.F16(headMatrix, Optional.empty(), pool);
            try {
                warmUp.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        JavaDecoder decoder(ModelConfig cfg, ModelWeights w, NDManager manager, int maxPositions) {
            JavaDecoder.Layer[] ls = new JavaDecoder.Layer[matrices.length];
            for (int l = 0; l < ls.length; l++) {
                LayerWeights lw = w.layers().get(l);
                F16Matrix[] m = matrices[l];
                ls[l] = new JavaDecoder.Layer(m[0], JavaDecoder.floats(lw.qkvBias()), JavaDecoder.floats(lw.qkNorm()),
                        m[1], m[2], m[3], JavaDecoder.floats(lw.inputNorm()), JavaDecoder.floats(lw.postNorm()));
            }
            return new JavaDecoder(cfg, manager, pool, embedding, headMatrix, ls, JavaDecoder.floats(w.finalNorm()),
                    maxPositions);
        }

        private static F16Matrix move(NDArray a, String name) {
            F16Matrix m = F16Matrix.of(a, name);
            a.close();
            return m;
        }

        Projection get(Kind kind, int layer) {
            return kind == Kind.HEAD ? head : layers[layer][kind.ordinal()];
        }

        /** {@code [B, T] ids → [B, T, D]} f32 rows of the f16 table. */
        NDArray embed(NDArray ids, int d) {
            long[] flat = ids.toLongArray();
            float[] out = new float[flat.length * d];
            for (int i = 0; i < flat.length; i++) embedding.row((int) flat[i], out, i * d);
            Shape s = ids.getShape();
            return ids.getManager().create(out, new Shape(s.get(0), s.get(1), d));
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /** Queries {@code [B, T, H, Dh]}, keys and values {@code [B, G, T, Dh]} of layer l, RoPE applied. */
    private NDArray[] queriesKeysValues(int l, LayerWeights lw, NDArray h, StepInput in, NDArray cos, NDArray sin) {
        int b = in.rows(), t = in.width();
        int nh = cfg.numHeads(), ng = cfg.numKvHeads(), dh = cfg.headDim();
        NDArray qkv = projection(Kind.QKV, l).apply(h).reshape(b, t, nh + 2L * ng, dh); // [B, T, H+2G, Dh]
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
                              NDArray mask, ForwardHooks hooks, StepContext ctx) {
        int b = in.rows(), t = in.width();
        int nh = cfg.numHeads(), ng = cfg.numKvHeads(), dh = cfg.headDim();
        NDArray[] qkv = queriesKeysValues(l, lw, h, in, cos, sin);
        NDArray q = qkv[0].transpose(0, 2, 1, 3).reshape(b, ng, (long) cfg.groupSize() * t, dh); // [B, G, R*T, Dh]
        NDArray[] keysValues = kv.keysAndValues(l, in, qkv[1], qkv[2]);                  // [B, G, K, Dh] each
        NDArray o = kernel.attend(q, keysValues[0], keysValues[1], mask, cfg.groupSize()); // [B, G, R*T, Dh]
        o = o.reshape(b, nh, t, dh).transpose(0, 2, 1, 3);                                // [B, T, H, Dh]
        o = hooks.apply(HookSite.of(l, Component.ATTN_HEADS), o, ctx);
        return projection(Kind.O, l).apply(o.reshape(b, t, (long) nh * dh));         // [B, T, D]
    }

    /** {@code x·cos + [x₂, x₁]·[-sin, sin]}, i.e. HF's {@code x·cos + rotate_half(x)·sin}. */
    private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        int axis = x.getShape().dimension() - 1;
        NDList halves = x.split(2, axis);
        NDArray swapped = halves.get(1).concat(halves.get(0), axis);
        return x.mul(cos).add(swapped.mul(sin));
    }

    /** {@code down(silu(gate(x)) · up(x))}. */
    private NDArray mlp(int l, NDArray h) {
        NDArray gateUp = projection(Kind.GATE_UP, l).apply(h);                      // [B, T, 2I]
        NDList gu = gateUp.split(2, gateUp.getShape().dimension() - 1);
        NDArray gate = gu.get(0);
        NDArray act = gate.mul(ai.djl.nn.Activation.sigmoid(gate)).mul(gu.get(1));                           // [B, T, I]
        return projection(Kind.DOWN, l).apply(act);
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
        if (kernels != null) kernels.close();
        manager.close();
    }
}
