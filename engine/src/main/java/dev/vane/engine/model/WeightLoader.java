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
            NDArray qkv = concat(m,
                    r.load(HfNames.layer(l, HfNames.Q), new long[] {h * dh, d}, wt, m),
                    r.load(HfNames.layer(l, HfNames.K), new long[] {g * dh, d}, wt, m),
                    r.load(HfNames.layer(l, HfNames.V), new long[] {g * dh, d}, wt, m));
            Optional<NDArray> bias = c.qkvBias()
                    ? Optional.of(concat(m,
                            r.load(HfNames.layer(l, HfNames.Q_BIAS), new long[] {h * dh}, f32, m),
                            r.load(HfNames.layer(l, HfNames.K_BIAS), new long[] {g * dh}, f32, m),
                            r.load(HfNames.layer(l, HfNames.V_BIAS), new long[] {g * dh}, f32, m)))
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
                    concat(m,
                            r.load(HfNames.layer(l, HfNames.GATE), new long[] {ff, d}, wt, m),
                            r.load(HfNames.layer(l, HfNames.UP), new long[] {ff, d}, wt, m)),
                    r.load(HfNames.layer(l, HfNames.DOWN), new long[] {d, ff}, wt, m)));
        }
        NDArray norm = r.load(HfNames.FINAL_NORM, new long[] {d}, f32, m);
        Optional<NDArray> head = c.tieWordEmbeddings() && !r.has(HfNames.LM_HEAD)
                ? Optional.empty()
                : Optional.of(r.load(HfNames.LM_HEAD, new long[] {c.vocabSize(), d}, wt, m));
        return new ModelWeights(embed, layers, norm, head);
    }

    /** Concatenates along axis 0 and frees the parts. */
    private static NDArray concat(NDManager m, NDArray... parts) {
        NDArray out = NDArrays.concat(new NDList(parts), 0);
        for (NDArray p : parts) p.close();
        out.attach(m);
        return out;
    }
}
