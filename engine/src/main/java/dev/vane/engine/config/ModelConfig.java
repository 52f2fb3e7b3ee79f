package dev.vane.engine.config;

import dev.vane.attention.AttentionKind;
import dev.vane.attention.RopeScaling;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The geometry and numerics of one decoder checkpoint, in Java names. Built from
 * {@code config.json} by {@link HfConfig}, the one place where Hugging Face names appear.
 *
 * @param slidingWindow window length applied to the layers listed by {@link #windowForLayer}
 * @param slidingWindowFromLayer first layer that uses the window (Qwen2's
 *        {@code max_window_layers}); 0 for Mistral, where every layer uses it
 * @param attention the attention function the model was trained with ({@code vane_attention};
 *        softmax for every Hugging Face model)
 * @param beacon the Activation Beacon settings when the checkpoint carries beacon parameters
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        OptionalInt slidingWindow,
        int slidingWindowFromLayer,
        OptionalInt bosTokenId,
        List<Integer> eosTokenIds,
        AttentionKind attention,
        Optional<BeaconConfig> beacon) {

    /** A softmax model. */
    public ModelConfig(Architecture architecture, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                       int numHeads, int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                       int maxPositionEmbeddings, boolean tieWordEmbeddings, boolean attentionBias, OptionalInt slidingWindow,
                       int slidingWindowFromLayer, OptionalInt bosTokenId, List<Integer> eosTokenIds) {
        this(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, rmsNormEps,
                ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias, slidingWindow,
                slidingWindowFromLayer, bosTokenId, eosTokenIds, AttentionKind.SOFTMAX);
    }

    public ModelConfig(Architecture architecture, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                       int numHeads, int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                       int maxPositionEmbeddings, boolean tieWordEmbeddings, boolean attentionBias, OptionalInt slidingWindow,
                       int slidingWindowFromLayer, OptionalInt bosTokenId, List<Integer> eosTokenIds, AttentionKind attention) {
        this(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, rmsNormEps,
                ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias, slidingWindow,
                slidingWindowFromLayer, bosTokenId, eosTokenIds, attention, Optional.empty());
    }

    public ModelConfig {
        require(vocabSize > 0, "vocab_size must be > 0");
        require(hiddenSize > 0, "hidden_size must be > 0");
        require(intermediateSize > 0, "intermediate_size must be > 0");
        require(numLayers > 0, "num_hidden_layers must be > 0");
        require(numHeads > 0, "num_attention_heads must be > 0");
        require(numKvHeads > 0 && numHeads % numKvHeads == 0,
                "num_key_value_heads must divide num_attention_heads (" + numKvHeads + " vs " + numHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head_dim must be a positive even number");
        require(rmsNormEps > 0, "rms_norm_eps must be > 0");
        require(ropeTheta > 0, "rope_theta must be > 0");
        require(maxPositionEmbeddings > 0, "max_position_embeddings must be > 0");
        eosTokenIds = List.copyOf(eosTokenIds);
        java.util.Objects.requireNonNull(attention, "attention");
        java.util.Objects.requireNonNull(beacon, "beacon");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** Query heads per KV head. */
    public int groupSize() { return numHeads / numKvHeads; }

    /** Width of the fused q|k|v projection output. */
    public int qkvSize() { return (numHeads + 2 * numKvHeads) * headDim; }

    /** Whether the q/k/v projections carry biases. */
    public boolean qkvBias() { return attentionBias || architecture.qkvBiasAlways(); }

    /** Sliding-window length for a layer, or 0 when the layer attends to the whole context. */
    public int windowForLayer(int layer) {
        return slidingWindow.isPresent() && layer >= slidingWindowFromLayer ? slidingWindow.getAsInt() : 0;
    }

    /** A copy with another architecture (fixtures use it to derive variants). */
    public ModelConfig withArchitecture(Architecture a) {
        return new ModelConfig(a, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
                slidingWindow, slidingWindowFromLayer, bosTokenId, eosTokenIds, attention, beacon);
    }

    /** This geometry with another attention function. */
    public ModelConfig withAttention(AttentionKind a) {
        return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
                slidingWindow, slidingWindowFromLayer, bosTokenId, eosTokenIds, a, beacon);
    }

    /** This model with Activation Beacon parameters of settings {@code b} (their tensors beside the checkpoint's). */
    public ModelConfig withBeacon(Optional<BeaconConfig> b) {
        return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
                slidingWindow, slidingWindowFromLayer, bosTokenId, eosTokenIds, attention, b);
    }

    /** Number of parameters, counting a tied head once. */
    public long parameterCount() {
        long d = hiddenSize;
        long perLayer = d * qkvSize() + (qkvBias() ? qkvSize() : 0)
                + (long) numHeads * headDim * d
                + 3L * d * intermediateSize
                + 2 * d
                + (architecture.qkNorm() ? 2L * headDim : 0);
        return (long) vocabSize * d * (tieWordEmbeddings ? 1 : 2) + numLayers * perLayer + d;
    }
}
