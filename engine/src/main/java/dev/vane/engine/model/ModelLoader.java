package dev.vane.engine.model;

import ai.djl.ndarray.NDManager;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.weights.CheckpointReader;

import java.nio.file.Path;

/** Loads a Hugging Face checkpoint directory into a {@link CausalLM}. */
public final class ModelLoader {

    private ModelLoader() {}

    /**
     * @param maxPositions context length to prepare RoPE tables for; 0 means the checkpoint's
     *                     {@code max_position_embeddings}
     */
    public static CausalLM load(Path dir, ComputeDType dtype, int maxPositions) {
        return load(dir, dtype, maxPositions, 0);
    }

    /**
     * @param kernelThreads threads of the experimental Java f16 kernel for f16 compute (see
     *                      {@link CausalLM} and docs/performance.md); 0, the default, keeps every
     *                      projection in PyTorch, which is faster today
     */
    public static CausalLM load(Path dir, ComputeDType dtype, int maxPositions, int kernelThreads) {
        ModelConfig cfg = HfConfig.read(dir);
        int positions = maxPositions > 0 ? maxPositions : cfg.maxPositionEmbeddings();
        NDManager manager = NDManager.newBaseManager();
        try (CheckpointReader reader = CheckpointReader.open(dir)) {
            ModelWeights weights = WeightLoader.load(reader, cfg, dtype, manager);
            return new CausalLM(cfg, weights, dtype, positions, manager, kernelThreads);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
