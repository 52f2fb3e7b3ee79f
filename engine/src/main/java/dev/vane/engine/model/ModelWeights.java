package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.List;
import java.util.Optional;

/**
 * All parameters of a decoder.
 *
 * @param embed      {@code [V, D]} token embeddings (compute dtype)
 * @param layers     one entry per layer
 * @param finalNorm  {@code [D]} f32
 * @param lmHead     {@code [V, D]} output projection, empty when tied to {@code embed}
 */
public record ModelWeights(NDArray embed, List<LayerWeights> layers, NDArray finalNorm, Optional<NDArray> lmHead) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /** The output projection actually used. */
    public NDArray head() { return lmHead.orElse(embed); }

    public NDList all() {
        NDList list = new NDList(embed, finalNorm);
        layers.forEach(l -> list.addAll(l.all()));
        lmHead.ifPresent(list::add);
        return list;
    }
}
