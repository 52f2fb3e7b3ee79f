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

    /** Selects the PyTorch path for f16 inference when set to {@code torch} (system property or environment). */
    public static final String KERNEL_PROPERTY = "vane.kernel";
    public static final String KERNEL_ENV = "VANE_KERNEL";

    /**
     * Java-kernel threads for an inference server or benchmark: {@code threads} for f16 compute
     * on a CPU with 8-lane vectors (the Java decode path, about 1.5–2× PyTorch's decode rate and
     * 3× its prefill rate on the reference machine, see docs/performance.md), 0 (PyTorch) for f32
     * or when {@code -Dvane.kernel=torch} or {@code VANE_KERNEL=torch} asks for PyTorch.
     */
    public static int inferenceKernelThreads(ComputeDType dtype, int threads) {
        String choice = System.getProperty(KERNEL_PROPERTY, System.getenv().getOrDefault(KERNEL_ENV, "java"));
        if (!choice.equals("java") && !choice.equals("torch"))
            throw new IllegalArgumentException(KERNEL_PROPERTY + " must be java or torch, got " + choice);
        return dtype == ComputeDType.F16 && choice.equals("java") ? Math.max(1, threads) : 0;
    }

    /**
     * @param kernelThreads threads of the Java f16 kernel for f16 compute (see {@link CausalLM},
     *                      {@link #inferenceKernelThreads} and docs/performance.md); 0 keeps every
     *                      projection in PyTorch (trainable weights)
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
