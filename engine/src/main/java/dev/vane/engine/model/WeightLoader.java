package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.weights.CheckpointReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps Hugging Face tensor names to {@link ModelWeights}: the one place those names appear on
 * the loading side ({@link HfNames} holds them). Fused matrices are built layer by layer, so peak
 * extra memory is one layer's projections.
 */
public final class WeightLoader {

    private WeightLoader() {}

    public static ModelWeights load(CheckpointReader r, ModelConfig c, ComputeDType dtype, NDManager m) {
        DataType wt = dtype.djl();
        DataType f32 = DataType.FLOAT32;
        long d = c.hiddenSize(), dh = c.headDim(), h = c.numHeads(), g = c.numKvHeads(), ff = c.intermediateSize();
        NDArray embed = r.load(HfNames.EMBED, new long[] {c.vocabSize(), d}, wt, m);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            NDArray qkv = stacked(r, HfNames.qkv(l), new long[] {h * dh, g * dh, g * dh}, d, wt, m);
            Optional<NDArray> bias = c.qkvBias()
                    ? Optional.of(stacked(r, HfNames.qkvBias(l), new long[] {h * dh, g * dh, g * dh}, 0, f32, m))
                    : Optional.empty();
            Optional<NDArray> qkNorm = Optional.empty();
            if (c.architecture().qkNorm()) {
                NDArray qn = r.load(HfNames.layer(l, HfNames.Q_NORM), new long[] {dh}, f32, m);
                NDArray kn = r.load(HfNames.layer(l, HfNames.K_NORM), new long[] {dh}, f32, m);
                qkNorm = Optional.of(concat(m, qn.broadcast(h, dh), kn.broadcast(g, dh)));
                qn.close();
                kn.close();
            }
            layers.add(new LayerWeights(
                    r.load(HfNames.layer(l, HfNames.INPUT_NORM), new long[] {d}, f32, m),
                    qkv,
                    bias,
                    qkNorm,
                    r.load(HfNames.layer(l, HfNames.O), new long[] {d, h * dh}, wt, m),
                    r.load(HfNames.layer(l, HfNames.POST_NORM), new long[] {d}, f32, m),
                    stacked(r, HfNames.gateUp(l), new long[] {ff, ff}, d, wt, m),
                    r.load(HfNames.layer(l, HfNames.DOWN), new long[] {d, ff}, wt, m)));
        }
        NDArray norm = r.load(HfNames.FINAL_NORM, new long[] {d}, f32, m);
        Optional<NDArray> head = c.tieWordEmbeddings() && !r.has(HfNames.LM_HEAD)
                ? Optional.empty()
                : Optional.of(r.load(HfNames.LM_HEAD, new long[] {c.vocabSize(), d}, wt, m));
        return new ModelWeights(embed, layers, norm, head);
    }

    /** The tensors {@code names}, of {@code rows[k]} rows of {@code cols} each (0: vectors), stacked along axis 0. */
    private static NDArray stacked(CheckpointReader r, List<String> names, long[] rows, long cols, DataType t, NDManager m) {
        NDArray[] parts = new NDArray[names.size()];
        for (int k = 0; k < parts.length; k++)
            parts[k] = r.load(names.get(k), cols == 0 ? new long[] {rows[k]} : new long[] {rows[k], cols}, t, m);
        return concat(m, parts);
    }

    /** Concatenates along axis 0 and frees the parts. */
    private static NDArray concat(NDManager m, NDArray... parts) {
        NDArray out = NDArrays.concat(new NDList(parts), 0);
        for (NDArray p : parts) p.close();
        out.attach(m);
        return out;
    }
}
