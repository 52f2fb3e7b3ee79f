package dev.vane.steering.plan;

import dev.vane.engine.config.ModelConfig;

/**
 * What a plan is checked against: the served model's layer count and hidden size and, where
 * known, its attention-head geometry (task embeddings act per head).
 *
 * @param numHeads query heads, or 0 when not known (then head geometry is checked at the first injection)
 * @param headDim  head dim, or 0 when not known
 */
public record ModelShape(int numLayers, int hiddenSize, int numHeads, int headDim) {
    public ModelShape {
        if (numLayers < 1 || hiddenSize < 1) throw new IllegalArgumentException("bad model shape " + numLayers + "x" + hiddenSize);
        if (numHeads < 0 || headDim < 0 || (numHeads == 0) != (headDim == 0))
            throw new IllegalArgumentException("bad head shape " + numHeads + "x" + headDim);
    }

    /** Layers and hidden size only. */
    public ModelShape(int numLayers, int hiddenSize) {
        this(numLayers, hiddenSize, 0, 0);
    }

    /** Everything a plan checks, from the model's configuration. */
    public static ModelShape of(ModelConfig c) {
        return new ModelShape(c.numLayers(), c.hiddenSize(), c.numHeads(), c.headDim());
    }
}
