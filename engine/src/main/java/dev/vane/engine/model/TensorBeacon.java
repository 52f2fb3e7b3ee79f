package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.BeaconConfig.Projection;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.weights.CheckpointException;
import dev.vane.engine.weights.CheckpointReader;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tensor decoder's Activation Beacon parameters (trainable): the beacon embedding and, per
 * layer, a copy of each projection {@link BeaconConfig#projections} lists, under the reference
 * implementation's names ({@link HfNames#beacon}). A projection not listed is the base model's.
 * Projections in the decoder's compute type, the embedding and biases in f32. The same tensors
 * the Java decoder's {@link BeaconWeights} reads, with the same rules for a
 * checkpoint that lacks them: a listed projection starts as a copy of the base one, the embedding
 * as the first EOS token's row; a beacon tensor the settings do not list is refused by name.
 */
public final class TensorBeacon {

    private final BeaconConfig config;
    private final NDArray embed;                                  // [1, D]
    private final List<Map<Projection, NDArray>> weights;         // per layer: own projections [out, in]
    private final List<Map<Projection, NDArray>> biases;          // per layer: own q/k/v biases [out]

    private TensorBeacon(BeaconConfig config, NDArray embed, List<Map<Projection, NDArray>> weights,
                         List<Map<Projection, NDArray>> biases) {
        this.config = config;
        this.embed = embed;
        this.weights = weights;
        this.biases = biases;
    }

    public BeaconConfig config() { return config; }

    /** The beacon rows' input embedding {@code [1, D]}. */
    NDArray embed() { return embed; }

    /** Every parameter (what {@code train beacon} trains). */
    public NDList parameters() {
        NDList all = new NDList(embed);
        for (int l = 0; l < weights.size(); l++) {
            all.addAll(new NDList(weights.get(l).values().toArray(NDArray[]::new)));
            all.addAll(new NDList(biases.get(l).values().toArray(NDArray[]::new)));
        }
        return all;
    }

    /** Every tensor under its checkpoint name, in a stable order. */
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put(HfNames.BEACON_EMBED, embed);
        for (int l = 0; l < weights.size(); l++) {
            for (var e : weights.get(l).entrySet()) t.put(HfNames.beacon(l, e.getKey(), false), e.getValue());
            for (var e : biases.get(l).entrySet()) t.put(HfNames.beacon(l, e.getKey(), true), e.getValue());
        }
        return t;
    }

    /**
     * Layer l's q|k|v for beacon rows {@code [(H + 2G)·Dh, D]} and its bias: own copies where
     * listed, the base model's elsewhere.
     */
    NDArray[] qkv(int l, LayerWeights base, ModelConfig c) {
        Map<Projection, NDArray> own = weights.get(l), ownBias = biases.get(l);
        if (own.keySet().stream().noneMatch(p -> p != Projection.O)) return new NDArray[] {base.qkv(), base.qkvBias().orElse(null)};
        long[] cuts = {(long) c.numHeads() * c.headDim(), (long) (c.numHeads() + c.numKvHeads()) * c.headDim()};
        NDList baseParts = base.qkv().split(cuts, 0);
        NDList baseBias = base.qkvBias().map(b -> b.split(cuts, 0)).orElse(null);
        NDList parts = new NDList(), bias = new NDList();
        List<Projection> order = List.of(Projection.Q, Projection.K, Projection.V);
        for (int i = 0; i < 3; i++) {
            Projection p = order.get(i);
            parts.add(own.containsKey(p) ? own.get(p) : baseParts.get(i));
            if (baseBias != null) bias.add(ownBias.containsKey(p) ? ownBias.get(p) : baseBias.get(i));
        }
        return new NDArray[] {NDArrays.concat(parts, 0), baseBias == null ? null : NDArrays.concat(bias, 0)};
    }

    /** Layer l's output projection for beacon rows {@code [D, H·Dh]}. */
    NDArray o(int l, LayerWeights base) {
        return weights.get(l).getOrDefault(Projection.O, base.o());
    }

    /**
     * The beacon parameters of checkpoint {@code r} for settings {@code b}, f32, owned by
     * {@code m}; missing ones start from {@code base} as the reference implementation starts them.
     */
    static TensorBeacon load(CheckpointReader r, ModelConfig c, BeaconConfig b, ModelWeights base, ComputeDType dtype, NDManager m) {
        DataType wt = dtype.djl();
        java.util.Set<String> expected = BeaconWeights.expectedNames(c, b);
        for (String name : r.names())
            if (name.contains("beacon") && !expected.contains(name))
                throw new CheckpointException("unexpected beacon tensor '" + name + "': beacon_param lists "
                        + b.projections().stream().map(Projection::id).sorted().toList());
        long d = c.hiddenSize();
        int eos = c.eosTokenIds().isEmpty() ? 0 : c.eosTokenIds().getFirst();
        NDArray embed = r.has(HfNames.BEACON_EMBED)
                ? r.load(HfNames.BEACON_EMBED, new long[] {1, d}, DataType.FLOAT32, m)
                : copy(base.embed().get(new NDIndex("{}:{}", eos, eos + 1)), DataType.FLOAT32, m);
        List<Map<Projection, NDArray>> weights = new java.util.ArrayList<>(), biases = new java.util.ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = base.layers().get(l);
            Map<Projection, NDArray> w = new EnumMap<>(Projection.class), bias = new EnumMap<>(Projection.class);
            for (Projection p : b.projections()) {
                long[] shape = shape(c, p);
                w.put(p, r.has(HfNames.beacon(l, p, false))
                        ? r.load(HfNames.beacon(l, p, false), shape, wt, m)
                        : copy(baseSlice(lw.qkv(), lw.o(), c, p), wt, m));
                if (p != Projection.O && c.qkvBias())
                    bias.put(p, r.has(HfNames.beacon(l, p, true))
                            ? r.load(HfNames.beacon(l, p, true), new long[] {shape[0]}, DataType.FLOAT32, m)
                            : copy(baseSlice(lw.qkvBias().orElseThrow(), null, c, p), DataType.FLOAT32, m));
            }
            weights.add(w);
            biases.add(bias);
        }
        return new TensorBeacon(b, embed, weights, biases);
    }

    /** {@code [out, in]} of projection p. */
    private static long[] shape(ModelConfig c, Projection p) {
        long d = c.hiddenSize(), q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        return switch (p) {
            case Q -> new long[] {q, d};
            case K, V -> new long[] {kv, d};
            case O -> new long[] {d, q};
        };
    }

    /** The base projection p's rows out of the fused q|k|v (or its bias), or o. */
    private static NDArray baseSlice(NDArray qkv, NDArray o, ModelConfig c, Projection p) {
        long q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        return switch (p) {
            case Q -> qkv.get(new NDIndex("0:{}", q));
            case K -> qkv.get(new NDIndex("{}:{}", q, q + kv));
            case V -> qkv.get(new NDIndex("{}:{}", q + kv, q + 2 * kv));
            case O -> o;
        };
    }

    /** A copy that shares no storage with {@code a} (a slice of the fused q|k|v is a view of it). */
    private static NDArray copy(NDArray a, DataType type, NDManager m) {
        NDArray copy = a.duplicate();
        if (copy.getDataType() != type) copy = copy.toType(type, false);
        copy.attach(m);
        return copy;
    }

    /** Own (trainable) projections of layer {@code l}, for tests. */
    Optional<NDArray> own(int l, Projection p) { return Optional.ofNullable(weights.get(l).get(p)); }
}
