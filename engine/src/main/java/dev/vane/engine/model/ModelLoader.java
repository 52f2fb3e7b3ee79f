package dev.vane.engine.model;

import ai.djl.ndarray.NDManager;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.weights.CheckpointReader;
import dev.vane.engine.weights.FileDType;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Loads a Hugging Face checkpoint directory into a {@link CausalLM}: the one place that chooses
 * the backend ({@link Backend#choose}).
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** A model for inference, on the backend {@link Backend#choose} picks for {@code o}. */
    public static CausalLM load(Path dir, LoadOptions o) {
        ModelConfig cfg = HfConfig.read(dir);
        int positions = o.maxPositions() > 0 ? o.maxPositions() : cfg.maxPositionEmbeddings();
        try (CheckpointReader reader = CheckpointReader.open(dir)) {
            ComputeDType dtype = o.dtype().orElseGet(() -> reader.fileDType(HfNames.EMBED) == FileDType.F32
                    ? ComputeDType.F32 : ComputeDType.F16);
            Backend backend = Backend.choose(cfg, dtype, o.backend(), o.threads());
            if (backend.kind() == Backend.Kind.JAVA) {
                Optional<PackedCache> cache = PackedCache.open(dir, reader.files(), o.weightCache());
                try {
                    return JavaDecoder.load(reader, cfg, positions, backend, cache);
                } finally {
                    cache.ifPresent(PackedCache::close);
                }
            }
            // PyTorch reads its thread count when its engine starts, which loading the weights does
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(backend.torchThreads()));
            NDManager manager = NDManager.newBaseManager();
            try {
                return new TensorDecoder(cfg, WeightLoader.load(reader, cfg, dtype, manager), dtype, positions, manager, backend);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }
    }

    /**
     * A model on the tensor decoder (trainable weights, autograd, the f32 reference), for offline
     * work and tests.
     *
     * @param maxPositions context length to prepare RoPE tables for; 0 means the checkpoint's
     *                     {@code max_position_embeddings}
     */
    public static TensorDecoder loadTensor(Path dir, ComputeDType dtype, int maxPositions) {
        ModelConfig cfg = HfConfig.read(dir);
        int positions = maxPositions > 0 ? maxPositions : cfg.maxPositionEmbeddings();
        Backend backend = new Backend(Backend.Kind.TENSOR, Math.max(1, Runtime.getRuntime().availableProcessors()), "offline work");
        NDManager manager = NDManager.newBaseManager();
        try (CheckpointReader reader = CheckpointReader.open(dir)) {
            return new TensorDecoder(cfg, WeightLoader.load(reader, cfg, dtype, manager), dtype, positions, manager, backend);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
