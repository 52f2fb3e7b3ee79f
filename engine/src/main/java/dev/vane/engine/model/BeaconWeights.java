package dev.vane.engine.model;

import dev.vane.attention.Rope;
import dev.vane.engine.cache.JavaKvCache;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.BeaconConfig.Projection;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.kernel.KernelPool;
import dev.vane.engine.kernel.RowOps;
import dev.vane.engine.kernel.WeightMatrix;
import dev.vane.engine.weights.CheckpointException;
import dev.vane.engine.weights.WeightSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Java decoder's Activation Beacon parameters: the beacon embedding and, per layer, the
 * beacon rows' own q|k|v (and o) projections where {@link BeaconConfig#projections} lists them.
 * A beacon row is a step row whose token id is the vocabulary size; it differs from a raw row only
 * where these replace the base model's:
 *
 * <pre>
 *   x_b = e_beacon                                   [D]
 *   [q|k|v]_b = W^beacon_qkv · rms(x_b)·g₁ (+ b^beacon)      (base W_qkv for a projection not listed)
 *   a_b = W^beacon_o · attention(q_b, K, V)            (base W_o unless o is listed)
 * </pre>
 *
 * Tensors are read by the reference implementation's names ({@link HfNames#beacon}); as there, a
 * listed projection missing from the file starts as a copy of the base one, and a missing embedding
 * as the first EOS token's row. A beacon tensor the settings do not list is refused by name.
 */
final class BeaconWeights {

    private static final System.Logger LOG = System.getLogger(BeaconWeights.class.getName());

    final BeaconConfig config;
    private final float[] embed;            // [D]
    private final WeightMatrix[] qkv;       // [L] own q|k|v, or null where no q, k, v is listed (the base's)
    private final float[][] qkvBias;        // [L] stacked biases, or null
    private final WeightMatrix[] o;         // [L] own o, or null
    private final float[][] kNorm;          // [L] k_norm repeated per KV head (Qwen3), or null

    private BeaconWeights(BeaconConfig config, float[] embed, WeightMatrix[] qkv, float[][] qkvBias, WeightMatrix[] o, float[][] kNorm) {
        this.config = config;
        this.embed = embed;
        this.qkv = qkv;
        this.qkvBias = qkvBias;
        this.o = o;
        this.kNorm = kNorm;
    }

    /** The tensors a checkpoint of these settings may hold. */
    static Set<String> expectedNames(ModelConfig cfg, BeaconConfig b) {
        Set<String> names = new HashSet<>();
        names.add(HfNames.BEACON_EMBED);
        for (int l = 0; l < cfg.numLayers(); l++)
            for (Projection p : b.projections()) {
                names.add(HfNames.beacon(l, p, false));
                if (p != Projection.O && cfg.qkvBias()) names.add(HfNames.beacon(l, p, true));
            }
        return names;
    }

    static BeaconWeights load(WeightSource r, ModelConfig cfg, BeaconConfig b, ComputeDType dtype, KernelPool pool,
                              float[] eosEmbedding, float[][] qkNorms) {
        Set<String> expected = expectedNames(cfg, b);
        for (String name : r.names())
            if (name.contains("beacon") && !expected.contains(name))
                throw new CheckpointException("unexpected beacon tensor '" + name + "': beacon_param lists "
                        + b.projections().stream().map(Projection::id).sorted().toList() + " and the model has "
                        + cfg.numLayers() + " layers" + (cfg.qkvBias() ? "" : " without q/k/v biases")
                        + " (expected names like " + HfNames.beacon(0, Projection.Q, false) + ")");
        Set<String> missing = new TreeSet<>();
        int d = cfg.hiddenSize(), dh = cfg.headDim(), h = cfg.numHeads(), g = cfg.numKvHeads(), layers = cfg.numLayers();
        float[] embed;
        if (r.has(HfNames.BEACON_EMBED)) embed = r.floats(HfNames.BEACON_EMBED, new long[] {1, d});
        else {
            missing.add(HfNames.BEACON_EMBED);
            embed = eosEmbedding.clone();
        }
        boolean ownQkv = b.projections().stream().anyMatch(p -> p != Projection.O);
        WeightMatrix[] qkv = new WeightMatrix[layers], o = new WeightMatrix[layers];
        float[][] bias = new float[layers][], kNorm = new float[layers][];
        for (int l = 0; l < layers; l++) {
            if (qkNorms[l] != null) kNorm[l] = java.util.Arrays.copyOfRange(qkNorms[l], h * dh, (h + g) * dh);
            if (ownQkv) {
                List<String> names = new ArrayList<>(), biases = new ArrayList<>();
                for (Projection p : List.of(Projection.Q, Projection.K, Projection.V)) {
                    names.add(pick(r, l, p, false, b, missing));
                    biases.add(pick(r, l, p, true, b, missing));
                }
                qkv[l] = JavaDecoder.pack(r, dtype, Optional.empty(), names, new int[] {h * dh, g * dh, g * dh}, d, pool);
                if (cfg.qkvBias()) bias[l] = JavaDecoder.stackedFloats(r, biases, new int[] {h * dh, g * dh, g * dh});
            }
            if (b.projections().contains(Projection.O))
                o[l] = JavaDecoder.pack(r, dtype, Optional.empty(), List.of(pick(r, l, Projection.O, false, b, missing)),
                        new int[] {d}, h * dh, pool);
        }
        if (!missing.isEmpty())
            LOG.log(System.Logger.Level.WARNING, "beacon parameters missing from the checkpoint start as copies of the base model's: "
                    + missing.size() + " tensors, " + missing.iterator().next() + " first");
        return new BeaconWeights(b, embed, ownQkv ? qkv : null, cfg.qkvBias() && ownQkv ? bias : null,
                b.projections().contains(Projection.O) ? o : null, kNorm);
    }

    /** The tensor a beacon row's projection {@code p} of layer {@code l} reads: its own if listed and stored, else the base one. */
    private static String pick(WeightSource r, int l, Projection p, boolean bias, BeaconConfig b, Set<String> missing) {
        if (!b.projections().contains(p)) return HfNames.base(l, p, bias);
        String own = HfNames.beacon(l, p, bias);
        if (r.has(own)) return own;
        if (!bias) missing.add(own);
        return HfNames.base(l, p, bias);
    }

    /** {@code x[r] = e_beacon} for each beacon row. */
    void embed(int[] rows, float[] x, int d) {
        for (int r : rows) System.arraycopy(embed, 0, x, r * d, d);
    }

    /** The beacon rows' q|k|v in place of the base projections' ({@code qkv [N, W]}, {@code h [N, D]} normed input). */
    void project(int layer, int[] rows, float[] h, int d, float[] qkv, int width, KernelPool pool) {
        if (this.qkv == null) return; // no own q, k or v: the base projections already gave the beacon rows theirs
        float[] in = gather(h, rows, d), out = new float[rows.length * width];
        this.qkv[layer].multiply(in, rows.length, out, pool);
        RowOps.addBias(out, rows.length, qkvBias == null ? null : qkvBias[layer]);
        for (int i = 0; i < rows.length; i++) System.arraycopy(out, i * width, qkv, rows[i] * width, width);
    }

    /** The beacon rows' output projection in place of the base one's ({@code a [N, D]} from {@code att [N, H·Dh]}), where o is listed. */
    void output(int layer, int[] rows, float[] att, int heads, float[] a, int d, KernelPool pool) {
        if (o == null || rows.length == 0) return;
        float[] in = gather(att, rows, heads), out = new float[rows.length * d];
        o[layer].multiply(in, rows.length, out, pool);
        for (int i = 0; i < rows.length; i++) System.arraycopy(out, i * d, a, rows[i] * d, d);
    }

    /**
     * Moves the beacons at positions {@code from[i]} of {@code slot} to {@code to + i} in every
     * layer: values as stored, keys rotated afresh for the new position from the projection's
     * output that {@link JavaKvCache#keepPreRopeKeys} kept (through the same k-norm and RoPE a row at
     * that position gets), so a moved beacon's key has the bits it would have had if computed there.
     */
    void move(JavaKvCache cache, int slot, int[] from, int to, int kvHeads, int dh, RowOps ops, Rope.Tables rope) {
        float[] key = new float[kvHeads * dh];
        for (int l = 0; l < kNorm.length; l++)
            for (int i = 0; i < from.length; i++) {
                cache.preRopeKeys(l, slot, from[i], key, 0);
                ops.rope(key, 1, kvHeads * dh, kvHeads, new int[] {to + i}, kNorm[l], rope);
                cache.moveEntry(l, slot, from[i], to + i, key, 0);
            }
    }

    long bytes() {
        long n = 4L * embed.length;
        for (int l = 0; l < kNorm.length; l++) {
            if (qkv != null) n += qkv[l].bytes();
            if (qkvBias != null) n += 4L * qkvBias[l].length;
            if (o != null) n += o[l].bytes();
        }
        return n;
    }

    private static float[] gather(float[] src, int[] rows, int width) {
        float[] dst = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) System.arraycopy(src, rows[i] * width, dst, i * width, width);
        return dst;
    }
}
