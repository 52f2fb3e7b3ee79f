package dev.vane.engine.model;

import dev.vane.attention.Attention;
import dev.vane.attention.AttentionMask;
import dev.vane.attention.Rope;
import dev.vane.attention.AttentionOptions;
import dev.vane.engine.cache.JavaKvCache;
import dev.vane.engine.cache.KvBudget;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.cache.KvCacheTooLargeException;
import dev.vane.engine.cache.KvDType;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.LayerGate;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.kernel.BlockRows;
import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.kernel.F16Matrix;
import dev.vane.engine.kernel.KernelPool;
import dev.vane.engine.kernel.Q4Gemv;
import dev.vane.engine.kernel.Q4KGemv;
import dev.vane.engine.kernel.Q4KMatrix;
import dev.vane.engine.kernel.Q4Matrix;
import dev.vane.engine.kernel.Q8Gemv;
import dev.vane.engine.kernel.Q8Matrix;
import dev.vane.engine.kernel.RowOps;
import dev.vane.engine.kernel.WeightMatrix;

import dev.vane.engine.weights.WeightSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;

/**
 * The serving decoder: the whole cached step in Java, f32 activations and {@link WeightMatrix}
 * weights (f16 or Q8_0), no tensor library call.
 *
 * <p>Why: a decode step at batch 1 through PyTorch is ~40 tensor ops per layer (3–15 µs of JNI
 * each, plus PyTorch's OpenMP workers spinning after every op and competing with the kernel's
 * threads for the cores); in Java the small ops cost a few microseconds per layer and both cores
 * go to the f16 matrix products, which are bound by reading the weights once per step.
 *
 * <p>Rows: the step's {@code B × T} (right-padded) tokens are {@code N = B·T} rows; row
 * {@code n = b·T + t} sits at absolute position {@code start[b] + t} of cache slot
 * {@code slot[b]}. Padding tokens are computed and cached like real ones, exactly as in the
 * tensor decoder (their entries lie beyond the row's length and are overwritten later).
 *
 * <pre>
 *   x = embed(ids)                                                                    [N, D]
 *   per layer:  h = rms(x)·g₁;  [q|k|v] = Wqkv·h (+b);  q,k = rope(rmsₕ(q,k)·g_qk)     (Qwen3 q/k norm)
 *               cache[slot, :, pos] = k, v
 *               o[h] = attention(q[h], K, V) over keys j ≤ pos, j > pos − W           [N, H·Dh]
 *               x += Wo·o;   h = rms(x)·g₂;   x += Wdown·(silu(Wgate·h) ⊙ Wup·h)
 *   logits = Whead · rms(x)·g_f                                                       [rows, V]
 * </pre>
 *
 * Hooks ({@link StepHooks}) act in place on these arrays; a site where no row acts costs
 * nothing. Every row of a batch gives the bits it gives alone (the kernels' property).
 *
 * <p>Thread safety: {@link #forwardLogits} may run concurrently for different caches; the matrix
 * products are serialised by the shared {@link KernelPool}.
 */
public final class JavaDecoder implements CausalLM {

    private static final System.Logger LOG = System.getLogger(JavaDecoder.class.getName());

    /** Attention runs on the pool above this many multiply-adds (below it the hand-off is not worth it). */
    private static final long PARALLEL_ATTENTION_WORK = 100_000;

    private final ModelConfig cfg;
    private final Backend backend;
    private final KernelPool pool;
    private final RowOps ops;
    private final Attention attention;
    private final AttentionTime attentionTime;
    /** Kernels that rows asked for instead of {@link #attention} (a request's {@code vane.attention}), made once each. */
    private final java.util.concurrent.ConcurrentHashMap<AttentionOptions, Attention> rowKernels = new java.util.concurrent.ConcurrentHashMap<>();
    private final Rope.Tables rope;
    private final WeightMatrix embedding;
    private final WeightMatrix head;
    private final Layer[] layers;
    private final float[] finalNorm;
    /** Activation Beacon parameters, where the checkpoint has them. */
    private final Optional<BeaconWeights> beacon;
    private final int d, nh, ng, dh, group, inter, qkvWidth, vocab, maxPositions;
    private final KvDType kvDType;
    private final java.util.concurrent.atomic.LongAdder positionLayersRun = new java.util.concurrent.atomic.LongAdder();
    private volatile CompletableFuture<Void> weightsSaved = CompletableFuture.completedFuture(null);
    /** Each cache's activation buffers (steps over one cache run one at a time), gone with the cache. */
    private final Map<JavaKvCache, Workspace> workspaces = Collections.synchronizedMap(new WeakHashMap<>());

    /** The activations of a step, by role. */
    private enum Buffer { X, H, QKV, ATT, A, GATE_UP, ACT, LAST, NORMED, KEYS, VALUES, X_RUN, ATT_RUN, A_RUN }

    /**
     * A step's activation buffers, each as large as the largest step so far needed and reused by
     * every later step: serving's steps change shape all the time (decode batches, prefill chunks),
     * and new arrays of megabytes per step (a 512-token chunk of a 1B model needs 70 MB) would
     * churn the heap. A buffer is handed out with its first {@code size} values zeroed, as a new
     * array would be; the values past them are never read (every use is sized by the step).
     */
    private static final class Workspace {
        private final float[][] buffers = new float[Buffer.values().length][];

        float[] zeroed(Buffer b, int size) {
            float[] f = buffers[b.ordinal()];
            if (f == null || f.length < size) return buffers[b.ordinal()] = new float[size];
            Arrays.fill(f, 0, size, 0f);
            return f;
        }

        /** A buffer of at least {@code size} values that the caller overwrites before reading. */
        float[] scratch(Buffer b, int size) {
            float[] f = buffers[b.ordinal()];
            return f == null || f.length < size ? buffers[b.ordinal()] = new float[size] : f;
        }
    }

    /** One layer's parameters: packed matrices, f32 vectors ({@code qkvBias} and {@code qkNorm} may be null). */
    private record Layer(WeightMatrix qkv, float[] qkvBias, float[] qkNorm, WeightMatrix o, WeightMatrix gateUp, WeightMatrix down,
                         float[] inputNorm, float[] postNorm) {}

    private JavaDecoder(ModelConfig cfg, Backend backend, KernelPool pool, WeightMatrix embedding, WeightMatrix head,
                        Layer[] layers, float[] finalNorm, int maxPositions, KvDType kvDType, Attention attention,
                        Optional<BeaconWeights> beacon) {
        this.cfg = cfg;
        this.backend = backend;
        this.pool = pool;
        this.ops = new RowOps(pool, (float) cfg.rmsNormEps());
        this.attention = attention;
        this.attentionTime = new AttentionTime(cfg.attention(), cfg.headDim(), attention.label());
        this.rope = Rope.tables(maxPositions, cfg.headDim(), cfg.ropeTheta(), cfg.ropeScaling());
        this.embedding = embedding;
        this.head = head;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.beacon = beacon;
        this.maxPositions = maxPositions;
        this.kvDType = kvDType;
        this.d = cfg.hiddenSize();
        this.nh = cfg.numHeads();
        this.ng = cfg.numKvHeads();
        this.dh = cfg.headDim();
        this.group = cfg.groupSize();
        this.inter = cfg.intermediateSize();
        this.qkvWidth = cfg.qkvSize();
        this.vocab = cfg.vocabSize();
    }

    /**
     * Reads a checkpoint straight into the kernels' layout: each matrix (q, k, v stacked; gate and
     * up stacked) is read from the file a few rows at a time by the pool's threads and packed, so
     * the process holds the packed weights and a row buffer per thread, never the file's pages or
     * a tensor library's copy. A matrix that {@code cache} holds intact is used where it lies in the mapped file instead, and the cache
     * is saved when it lacked some. With a quantised {@code dtype} ({@link ComputeDType#Q8_0},
     * {@link ComputeDType#Q4_0}) each row is quantised as it is read ({@link Q8Gemv#quantize},
     * {@link Q4Gemv#quantize}; no cache), or packed as stored when the file holds it in that type. The kernels' JIT warm-up runs
     * beside the packing (once per JVM).
     */
    static JavaDecoder load(WeightSource r, ModelConfig cfg, int maxPositions, Backend backend, ComputeDType dtype, KvDType kvDType,
                            Optional<PackedCache> cache, AttentionOptions attentionOptions) {
        if (backend.kind() != Backend.Kind.JAVA) throw new IllegalArgumentException("not a java backend: " + backend);
        if (dtype == ComputeDType.F32) throw new IllegalArgumentException("the java decoder runs f16, q8_0, q4_0 or q4_k weights, not " + dtype.label());
        long t0 = System.nanoTime();
        Thread warmUp = Thread.ofPlatform().daemon().name("vane-kernel-warm-up")
                .start(switch (dtype) {
                    case Q8_0 -> Q8Gemv::warmUp;
                    case Q4_0 -> () -> { // a matrix kept in another block format runs in Q8_0 (pack)
                        Q4Gemv.warmUp();
                        Q8Gemv.warmUp();
                    };
                    case Q4_K -> () -> {
                        Q4KGemv.warmUp();
                        Q8Gemv.warmUp();
                    };
                    default -> F16Gemv::warmUp;
                });
        if (dtype != ComputeDType.F16 && cache.isPresent()) throw new IllegalArgumentException("the packed-weights cache holds f16 matrices only");
        KernelPool pool = new KernelPool(backend.threads());
        try {
            int d = cfg.hiddenSize(), dh = cfg.headDim(), h = cfg.numHeads(), g = cfg.numKvHeads(), ff = cfg.intermediateSize();
            Layer[] layers = new Layer[cfg.numLayers()];
            for (int l = 0; l < layers.length; l++) {
                float[] qkNorm = null;
                if (cfg.architecture().qkNorm()) { // q_norm once per query head, then k_norm per KV head
                    float[] qn = r.floats(HfNames.layer(l, HfNames.Q_NORM), new long[] {dh});
                    float[] kn = r.floats(HfNames.layer(l, HfNames.K_NORM), new long[] {dh});
                    qkNorm = new float[(h + g) * dh];
                    for (int k = 0; k < h + g; k++) System.arraycopy(k < h ? qn : kn, 0, qkNorm, k * dh, dh);
                }
                layers[l] = new Layer(
                        pack(r, dtype, cache, HfNames.qkv(l), new int[] {h * dh, g * dh, g * dh}, d, pool),
                        cfg.qkvBias() ? stackedFloats(r, HfNames.qkvBias(l), new int[] {h * dh, g * dh, g * dh}) : null,
                        qkNorm,
                        pack(r, dtype, cache, List.of(HfNames.layer(l, HfNames.O)), new int[] {d}, h * dh, pool),
                        pack(r, dtype, cache, HfNames.gateUp(l), new int[] {ff, ff}, d, pool),
                        pack(r, dtype, cache, List.of(HfNames.layer(l, HfNames.DOWN)), new int[] {d}, ff, pool),
                        r.floats(HfNames.layer(l, HfNames.INPUT_NORM), new long[] {d}),
                        r.floats(HfNames.layer(l, HfNames.POST_NORM), new long[] {d}));
            }
            WeightMatrix embedding = pack(r, dtype, cache, List.of(HfNames.EMBED), new int[] {cfg.vocabSize()}, d, pool);
            WeightMatrix head = cfg.tieWordEmbeddings() && !r.has(HfNames.LM_HEAD)
                    ? embedding
                    : pack(r, dtype, cache, List.of(HfNames.LM_HEAD), new int[] {cfg.vocabSize()}, d, pool);
            float[] finalNorm = r.floats(HfNames.FINAL_NORM, new long[] {d});
            Optional<BeaconWeights> beacon = cfg.beacon().map(b -> {
                float[] eos = new float[d];
                embedding.row(cfg.eosTokenIds().isEmpty() ? 0 : cfg.eosTokenIds().getFirst(), eos, 0);
                return BeaconWeights.load(r, cfg, b, dtype, pool, eos, Arrays.stream(layers).map(Layer::qkNorm).toArray(float[][]::new));
            });
            long t1 = System.nanoTime();
            JavaDecoder decoder = new JavaDecoder(cfg, backend, pool, embedding, head, layers, finalNorm, maxPositions, kvDType,
                    cfg.attention().kernel(cfg.headDim(), attentionOptions), beacon);
            decoder.weightsSaved = cache.map(PackedCache::saveInBackground).orElse(CompletableFuture.completedFuture(null));
            warmUp.join();
            LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                    "weights: %.1f MB in %.2f s (%s), kernel warm-up done at %.2f s",
                    decoder.weightBytes() / 1e6, (t1 - t0) / 1e9, cache.map(PackedCache::summary).orElse(dtype.label() + ", no cache"),
                    (System.nanoTime() - t0) / 1e9));
            return decoder;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.close();
            throw new IllegalStateException("interrupted while loading", e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * The 2-d tensors {@code names}, of {@code rows[k]} rows of {@code in} each, stacked and
     * packed in {@code dtype}, or mapped from {@code cache} when it holds them intact.
     */
    static WeightMatrix pack(WeightSource r, ComputeDType dtype, Optional<PackedCache> cache, List<String> names,
                                     int[] rows, int in, KernelPool pool) {
        String name = names.size() == 1 ? names.getFirst() : names.toString();
        int out = Arrays.stream(rows).sum();
        Optional<F16Gemv.Packed> saved = cache.flatMap(c -> c.find(name, out, in, pool));
        if (saved.isPresent()) return F16Matrix.of(saved.get());
        int[] first = new int[names.size() + 1]; // stacked row where part k starts
        for (int k = 0; k < names.size(); k++) first[k + 1] = first[k] + rows[k];
        if (dtype.quantized()) {
            GgmlType type = switch (dtype) { case Q8_0 -> GgmlType.Q8_0; case Q4_0 -> GgmlType.Q4_0; default -> GgmlType.Q4_K; };
            List<Optional<BlockRows>> stored = new java.util.ArrayList<>();
            for (int k = 0; k < names.size(); k++) stored.add(r.blockRows(names.get(k), new long[] {rows[k], in}, type));
            if (stored.stream().allMatch(Optional::isPresent)) { // stored in this format: packed as they are
                BlockRows[] parts = stored.stream().map(Optional::get).toArray(BlockRows[]::new);
                BlockRows stacked = (o, scales, data) -> {
                    int k = part(first, o);
                    parts[k].row(o - first[k], scales, data);
                };
                return switch (dtype) {
                    case Q8_0 -> Q8Matrix.of(stacked, out, in, name, pool);
                    case Q4_0 -> Q4Matrix.of(stacked, out, in, name, pool);
                    default -> Q4KMatrix.of(stacked, out, in, name, pool);
                };
            }
        }
        F16Gemv.Rows[] parts = new F16Gemv.Rows[names.size()];
        for (int k = 0; k < parts.length; k++) parts[k] = r.f16Rows(names.get(k), new long[] {rows[k], in});
        F16Gemv.Rows stacked = (o, dst) -> {
            int k = part(first, o);
            parts[k].row(o - first[k], dst);
        };
        // a matrix stored in another block format (a K-quant, or Q6_K output of a Q4_0 file) is
        // requantised to Q8_0, which loses far less than Q4_0 would; so is any matrix of a Q4_K
        // model not stored in Q4_K (Vane does not quantise to Q4_K)
        boolean otherBlocks = names.stream().anyMatch(r::storedInBlocks);
        if (dtype == ComputeDType.Q8_0 || dtype == ComputeDType.Q4_K || (dtype == ComputeDType.Q4_0 && otherBlocks))
            return Q8Matrix.quantizing(stacked, out, in, name, pool);
        if (dtype == ComputeDType.Q4_0) return Q4Matrix.quantizing(stacked, out, in, name, pool);
        F16Matrix m = F16Matrix.of(stacked, out, in, name, pool);
        cache.ifPresent(c -> c.put(name, m.packed()));
        return m;
    }

    /** The part of a stacked matrix that holds row {@code o} ({@code first[k]}: where part k starts). */
    private static int part(int[] first, int o) {
        int k = 0;
        while (o >= first[k + 1]) k++;
        return k;
    }

    /** The vectors {@code names}, of {@code lengths[k]} values each, one after another. */
    static float[] stackedFloats(WeightSource r, List<String> names, int[] lengths) {
        float[] out = new float[Arrays.stream(lengths).sum()];
        for (int k = 0, at = 0; k < names.size(); at += lengths[k], k++)
            System.arraycopy(r.floats(names.get(k), new long[] {lengths[k]}), 0, out, at, lengths[k]);
        return out;
    }

    @Override public ModelConfig config() { return cfg; }
    @Override public Backend backend() { return backend; }
    @Override public int maxPositions() { return maxPositions; }

    /** The KV element type this decoder was loaded with. */
    @Override
    public KvDType kvDType() { return kvDType; }

    /**
     * A cache of {@code dtype} arrays on the heap, refused ({@link KvCacheTooLargeException}) when its
     * capacity does not fit the heap beside the weights ({@link KvBudget#heap}).
     */
    @Override
    public JavaKvCache newCache(int slots, int capacity, KvDType dtype) {
        JavaKvCache cache = new JavaKvCache(cfg, slots, capacity, dtype);
        KvBudget.heap(heapBytes()).check(slots, capacity, cache.bytes());
        return cache;
    }

    /** The packed matrices, norms and biases. */
    @Override
    public AttentionTime attentionTime() { return attentionTime; }

    @Override
    public long weightBytes() {
        return matrices().stream().mapToLong(WeightMatrix::bytes).sum() + vectorBytes();
    }

    /** The packed matrices, the tied head once. */
    List<WeightMatrix> matrices() {
        List<WeightMatrix> all = new ArrayList<>();
        all.add(embedding);
        if (head != embedding) all.add(head);
        for (Layer l : layers) all.addAll(List.of(l.qkv(), l.o(), l.gateUp(), l.down()));
        return all;
    }

    /** Bytes of the norms, biases and beacon parameters (counted whole, though their projections lie outside the heap). */
    private long vectorBytes() {
        long n = 4L * finalNorm.length;
        for (Layer l : layers) {
            n += 4L * (l.inputNorm().length + l.postNorm().length);
            if (l.qkvBias() != null) n += 4L * l.qkvBias().length;
            if (l.qkNorm() != null) n += 4L * l.qkNorm().length;
        }
        return n + beacon.map(BeaconWeights::bytes).orElse(0L);
    }

    /** Completes once the packed-weights cache that this load wrote (if any) is on disk. */
    CompletableFuture<Void> weightsSaved() { return weightsSaved; }

    /** Bytes this decoder holds on the heap: its norms, biases and RoPE tables (the packed matrices lie outside it). */
    long heapBytes() {
        return vectorBytes() + 2L * 4 * maxPositions * dh; // cos and sin
    }

    @Override
    public void parallel(int n, KernelPool.Task task) {
        pool.run(n, task);
    }

    /**
     * Positions × layers whose attention, output projection and MLP products this decoder has run
     * since it was built (the K/V projections, which every position gets, not counted; padding
     * positions counted): the work that layer-skipping counters are checked against.
     */
    public long positionLayersRun() { return positionLayersRun.sum(); }

    @Override
    public float[] forwardLogits(StepInput in, KvCache kv, StepHooks hooks, LogitsMode mode, float[] into) {
        if (!(kv instanceof JavaKvCache cache))
            throw new IllegalArgumentException("the java decoder steps over its own caches (newCache), not a " + kv.getClass().getSimpleName());
        CausalLM.checkPositions(in, maxPositions);
        int b = in.rows(), t = in.width(), n = b * t;
        int[] start = in.start(), slot = in.slot();
        for (int r = 0; r < b; r++) {
            if (start[r] + t > cache.capacity())
                throw new IllegalStateException("KV cache capacity " + cache.capacity() + " exceeded at position " + (start[r] + t));
            if (slot[r] < 0 || slot[r] >= cache.slots())
                throw new IllegalArgumentException("slot " + slot[r] + " outside the cache's " + cache.slots());
        }
        Sites sites = new Sites(hooks, in, vocab);
        int[] pos = new int[n];
        long[] ids = in.paddedIds();
        Workspace ws = workspaces.computeIfAbsent(cache, c -> new Workspace());
        float[] x = ws.zeroed(Buffer.X, n * d);       // [N, D] the residual stream
        int[] beacons = beaconRows(ids);              // rows whose id is the vocabulary size: beacon rows
        for (int r = 0; r < n; r++) {
            pos[r] = start[r / t] + r % t;
            if (ids[r] != vocab) embedding.row((int) ids[r], x, r * d);
        }
        beacon.ifPresent(bw -> bw.embed(beacons, x, d));
        float[] h = ws.zeroed(Buffer.H, n * d);                // [N, D] normed input of a block
        float[] qkv = ws.zeroed(Buffer.QKV, n * qkvWidth);     // [N, (H + 2G)·Dh]
        float[] att = ws.zeroed(Buffer.ATT, n * nh * dh);      // [N, H·Dh] attention heads
        float[] a = ws.zeroed(Buffer.A, n * d);                // [N, D] a block's output
        float[] gu = ws.zeroed(Buffer.GATE_UP, n * 2 * inter); // [N, 2I] gate | up
        float[] act = ws.zeroed(Buffer.ACT, n * inter);        // [N, I]

        Attention[] kernels = rowKernels(hooks, b);                 // [B] per sequence, or null: all run `attention`
        long attentionNanos = 0;
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            sites.apply(l, Component.RESID_PRE, x, d);
            LayerGate gate = sites.gate(l);
            // q, k, v = rope(Wqkv · rms(x)·g₁ + b);  the cache takes k and v (only k and v when
            // every position skips the layer: the query rows of Wqkv are not read)
            ops.rmsNorm(x, n, w.inputNorm(), h);
            w.qkv().multiply(h, n, qkv, pool, gate.skipsAll() ? nh * dh : 0, qkvWidth);
            RowOps.addBias(qkv, n, w.qkvBias());
            if (beacons.length > 0) { // beacon rows: their own projections; their keys kept before RoPE for when they move
                int layer = l;
                beacon.get().project(layer, beacons, h, d, qkv, qkvWidth, pool);
                for (int r : beacons) cache.keepPreRopeKeys(layer, slot[r / t], pos[r], qkv, r * qkvWidth + nh * dh);
            }
            ops.rope(qkv, n, qkvWidth, nh + ng, pos, w.qkNorm(), rope);
            store(cache, l, qkv, t, slot, pos);
            if (gate.skipsAll()) { // a skipped layer: its keys and values are cached, nothing else runs
                sites.ran(l, gate);
                sites.apply(l, Component.RESID_POST, x, d);
                continue;
            }
            // the rows that run the rest of the layer: all N, or the M running positions gathered
            // into [M, ...] buffers and scattered back (a skipped position's residual is untouched)
            int[] run = gate.runsAll() ? null : gate.running(sites.context());
            int m = run == null ? n : run.length;
            // x += Wo · attention(q, K, V)
            long a0 = System.nanoTime();
            attend(cache, ws, l, qkv, att, t, slot, pos, cfg.windowForLayer(l), run, kernels);
            attentionNanos += System.nanoTime() - a0;
            zeroOthers(att, run, n, nh * dh); // a skipped position's heads read as zeros, not a stale step's
            sites.apply(l, Component.ATTN_HEADS, att, nh * dh);
            float[] out = run == null ? a : ws.scratch(Buffer.A_RUN, m * d);   // [M, D]
            w.o().multiply(gather(att, run, nh * dh, ws, Buffer.ATT_RUN), m, out, pool);
            scatter(out, run, n, d, a);
            if (beacons.length > 0) beacon.get().output(l, running(beacons, run), att, nh * dh, a, d, pool);
            sites.apply(l, Component.ATTN_OUT, a, d);
            addRows(x, a, run, n, d);
            // x += Wdown · (silu(Wgate · h) ⊙ Wup · h),  h = rms(x)·g₂                   [M, ...]
            ops.rmsNorm(gather(x, run, d, ws, Buffer.X_RUN), m, w.postNorm(), h);
            w.gateUp().multiply(h, m, gu, pool);
            ops.swiGlu(gu, m, inter, act);
            w.down().multiply(act, m, out, pool);
            positionLayersRun.add(m);
            scatter(out, run, n, d, a);
            sites.apply(l, Component.MLP_OUT, a, d);
            addRows(x, a, run, n, d);
            sites.ran(l, gate);
            sites.apply(l, Component.RESID_POST, x, d);
        }
        addAttentionTime(kernels, pos, t, attentionNanos);

        // logits = Whead · rms(x)·g_f, of each row's last real position or of every position
        int rows = mode == LogitsMode.LAST ? b : n;
        float[] last = x;
        if (mode == LogitsMode.LAST) {
            last = ws.zeroed(Buffer.LAST, b * d);
            for (int r = 0; r < b; r++) System.arraycopy(x, (r * t + in.last(r, vocab)) * d, last, r * d, d);
        }
        float[] normed = ws.zeroed(Buffer.NORMED, rows * d);
        ops.rmsNorm(last, rows, finalNorm, normed);
        float[] logits = into != null && into.length >= rows * vocab ? into : new float[rows * vocab];
        head.multiply(normed, rows, logits, pool);
        sites.applyLogits(logits, mode == LogitsMode.LAST ? 1 : t);
        return logits;
    }

    /** The rows whose token id is the beacon's (the vocabulary size); none on a model without beacon parameters, where that id is refused. */
    private int[] beaconRows(long[] ids) {
        int count = 0;
        for (long id : ids) {
            if (id == vocab) count++;
            else if (id < 0 || id > vocab) throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + vocab);
        }
        if (count == 0) return NO_ROWS;
        if (beacon.isEmpty()) throw new IllegalArgumentException("token id " + vocab + " is a beacon, and this model has no beacon parameters");
        int[] rows = new int[count];
        for (int r = 0, k = 0; r < ids.length; r++) if (ids[r] == vocab) rows[k++] = r;
        return rows;
    }

    private static final int[] NO_ROWS = new int[0];

    /** The beacon rows that ran the layer ({@code run} null: all). */
    private static int[] running(int[] beacons, int[] run) {
        if (run == null) return beacons;
        return Arrays.stream(beacons).filter(r -> Arrays.binarySearch(run, r) >= 0).toArray();
    }

    /** The Activation Beacon settings this decoder runs beacon rows with, where the checkpoint has beacon parameters. */
    @Override
    public Optional<BeaconConfig> beacon() { return beacon.map(b -> b.config); }

    /**
     * Moves the beacons of a closed window: the entries at {@code from[i]} of {@code slot} go to
     * {@code to + i} in every layer, keys rotated for their new positions.
     */
    @Override
    public void moveBeacons(KvCache kv, int slot, int[] from, int to) {
        if (!(kv instanceof JavaKvCache cache)) throw new IllegalArgumentException("not a java decoder's cache");
        beacon.orElseThrow(() -> new IllegalStateException("this model has no beacon parameters"))
                .move(cache, slot, from, to, ng, dh, ops, rope);
    }

    /** The rows {@code run} of {@code src [N, width]} packed into a workspace buffer {@code [M, width]}; {@code src} itself when all run. */
    private static float[] gather(float[] src, int[] run, int width, Workspace ws, Buffer into) {
        if (run == null) return src;
        float[] dst = ws.scratch(into, run.length * width);
        for (int i = 0; i < run.length; i++) System.arraycopy(src, run[i] * width, dst, i * width, width);
        return dst;
    }

    /** Zeros at the rows of {@code x [N, width]} that are not in {@code run}; nothing when all run. */
    private static void zeroOthers(float[] x, int[] run, int n, int width) {
        if (run == null) return;
        int next = 0;
        for (int r : run) {
            Arrays.fill(x, next * width, r * width, 0f);
            next = r + 1;
        }
        Arrays.fill(x, next * width, n * width, 0f);
    }

    /** {@code rows [M, width]} back into {@code dst [N, width]} at {@code run}, zeros at the other rows; nothing when all run ({@code rows == dst}). */
    private static void scatter(float[] rows, int[] run, int n, int width, float[] dst) {
        if (run == null) return;
        zeroOthers(dst, run, n, width);
        for (int i = 0; i < run.length; i++) System.arraycopy(rows, i * width, dst, run[i] * width, width);
    }

    /** {@code x += a} over the running rows (all rows when {@code run} is null). */
    private static void addRows(float[] x, float[] a, int[] run, int n, int width) {
        if (run == null) RowOps.add(x, a, n * width);
        else for (int r : run) RowOps.add(x, r * width, a, r * width, width);
    }

    /** The hook sites of one step. */
    private static final class Sites {
        private final StepHooks hooks;
        private final StepInput in;
        private final int beaconId;
        private StepContext ctx;

        Sites(StepHooks hooks, StepInput in, int beaconId) {
            this.hooks = hooks;
            this.in = in;
            this.beaconId = beaconId;
        }

        StepContext context() {
            if (ctx == null) ctx = in.context(beaconId);
            return ctx;
        }

        /** Which positions skip layer {@code l} ({@link LayerGate#RUN} without hooks). */
        LayerGate gate(int l) {
            return hooks == StepHooks.NONE ? LayerGate.RUN : hooks.gate(l, context());
        }

        /** The decoder ran layer {@code l} as {@code executed} says (see {@link StepHooks#ran}). */
        void ran(int l, LayerGate executed) {
            if (hooks != StepHooks.NONE) hooks.ran(l, executed, context());
        }

        /** The rows' hooks at one site of layer {@code l} over {@code [B, T, width]}. */
        void apply(int l, Component c, float[] data, int width) {
            if (hooks == StepHooks.NONE) return;
            HookSite site = HookSite.of(l, c);
            if (hooks.actsAt(site, context())) hooks.apply(site, data, in.width(), width, context());
        }

        void applyLogits(float[] logits, int tokens) {
            if (hooks == StepHooks.NONE) return;
            if (hooks.actsAt(HookSite.LOGITS, context()))
                hooks.apply(HookSite.LOGITS, logits, tokens, logits.length / (in.rows() * tokens), context());
        }
    }

    /** Writes every row's k and v into its slot at its position. */
    private void store(JavaKvCache cache, int layer, float[] qkv, int t, int[] slot, int[] pos) {
        for (int r = 0; r < pos.length; r++)
            cache.update(layer, slot[r / t], pos[r], qkv, r * qkvWidth + nh * dh, r * qkvWidth + (nh + ng) * dh);
    }

    /**
     * Every row's query heads attend over its slot, causally (and within the layer's sliding
     * window), into {@code att [N, H·Dh]}: one {@link Attention} call per (row, KV head) item,
     * on the pool when there is enough work. Attention reads f32 ({@link KvView}).
     */
    private void attend(JavaKvCache cache, Workspace ws, int layer, float[] qkv, float[] att, int t, int[] slot, int[] pos, int window,
                        int[] run, Attention[] kernels) {
        int m = run == null ? pos.length : run.length;
        long work = 0;
        for (int i = 0; i < m; i++) work += (long) (pos[run == null ? i : run[i]] + 1) * nh * dh;
        KvView kv = view(cache, ws, layer, t, slot, pos, window, work >= PARALLEL_ATTENTION_WORK);
        int items = m * ng;
        if (work < PARALLEL_ATTENTION_WORK || items == 1) {
            attendItems(kv, qkv, att, t, pos, window, run, kernels, 0, items);
            return;
        }
        pool.run(items, item -> attendItems(kv, qkv, att, t, pos, window, run, kernels, item, item + 1));
    }

    /**
     * Where a step reads its keys and values as f32: KV head g of sequence b at position p lies at
     * {@code keys[b][base[b·G + g] + p·Dh]} (values likewise). An f32 cache lends its own arrays;
     * an f16 cache's positions that the sequence's rows see, from the first row's first visible
     * key to the last row's position, are converted once per step into the workspace, so rows
     * of a prompt chunk share one conversion.
     */
    private record KvView(float[][] keys, float[][] values, int[] base) {}

    private KvView view(JavaKvCache cache, Workspace ws, int layer, int t, int[] slot, int[] pos, int window, boolean parallel) {
        int b = pos.length / t, cap = cache.capacity();
        float[][] keys = new float[b][], values = new float[b][];
        int[] base = new int[b * ng];
        if (cache.dtype() == KvDType.F32) {
            for (int s = 0; s < b; s++) {
                keys[s] = cache.keys(layer, slot[s]);
                values[s] = cache.values(layer, slot[s]);
                for (int g = 0; g < ng; g++) base[s * ng + g] = g * cap * dh;
            }
            return new KvView(keys, values, base);
        }
        int[] from = new int[b], count = new int[b], at = new int[b * ng];
        long total = 0;
        for (int s = 0; s < b; s++) {
            from[s] = AttentionMask.firstVisible(pos[s * t], window);
            count[s] = pos[s * t + t - 1] - from[s] + 1;
            for (int g = 0; g < ng; g++) {
                if (total + (long) count[s] * dh > Integer.MAX_VALUE - 8)
                    throw new IllegalStateException("a step reading " + b + " sequences of up to " + cap
                            + " positions is too large to convert from the f16 KV cache at once; use fewer --slots or --kv-dtype f32");
                at[s * ng + g] = (int) total;
                base[s * ng + g] = (int) total - from[s] * dh;
                total += count[s] * dh;
            }
        }
        float[] k = ws.scratch(Buffer.KEYS, (int) total), v = ws.scratch(Buffer.VALUES, (int) total);
        Arrays.fill(keys, k);
        Arrays.fill(values, v);
        KernelPool.Task stage = item -> cache.read(layer, slot[item / ng], item % ng, from[item / ng], count[item / ng], k, v, at[item]);
        if (parallel && b * ng > 1) pool.run(b * ng, stage);
        else for (int item = 0; item < b * ng; item++) stage.run(item);
        return new KvView(keys, values, base);
    }

    /**
     * Items {@code [from, to)} of {@code (running row, KV head)} pairs: the R query heads sharing
     * that KV head ({@code run} lists the running rows, null = every row).
     */
    private void attendItems(KvView kv, float[] qkv, float[] att, int t, int[] pos, int window, int[] run, Attention[] kernels,
                             int from, int to) {
        for (int item = from; item < to; item++) {
            int r = run == null ? item / ng : run[item / ng], g = item % ng, s = r / t;
            int lo = AttentionMask.firstVisible(pos[r], window);
            (kernels == null ? attention : kernels[s]).attend(qkv, r * qkvWidth + g * group * dh, group,
                    kv.keys()[s], kv.values()[s], kv.base()[s * ng + g] + lo * dh, pos[r] - lo + 1,
                    att, (r * nh + g * group) * dh);
        }
    }

    /** Each sequence's kernel when some row's request chose other attention options; null when every row runs {@link #attention}. */
    private Attention[] rowKernels(StepHooks hooks, int b) {
        Attention[] kernels = null;
        for (int r = 0; r < b; r++) {
            java.util.Optional<AttentionOptions> o = hooks.attention(r);
            if (o.isEmpty()) continue;
            if (kernels == null) {
                kernels = new Attention[b];
                java.util.Arrays.fill(kernels, attention);
            }
            kernels[r] = rowKernels.computeIfAbsent(o.get(), opts -> cfg.attention().kernel(cfg.headDim(), opts));
        }
        return kernels;
    }

    /** A step's attention time, under each kernel that ran, split by the keys its rows attended to. */
    private void addAttentionTime(Attention[] kernels, int[] pos, int t, long nanos) {
        if (kernels == null) {
            attentionTime.add(attention.label(), nanos);
            return;
        }
        java.util.Map<String, Long> keys = new java.util.LinkedHashMap<>();
        long total = 0;
        for (int r = 0; r < pos.length; r++) {
            keys.merge(kernels[r / t].label(), pos[r] + 1L, Long::sum);
            total += pos[r] + 1L;
        }
        for (var e : keys.entrySet()) attentionTime.add(e.getKey(), Math.round((double) nanos * e.getValue() / total));
    }

    @Override
    public void close() {
        pool.close();
    }
}
