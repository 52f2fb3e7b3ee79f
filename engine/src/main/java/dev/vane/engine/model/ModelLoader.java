package dev.vane.engine.model;

import ai.djl.ndarray.NDManager;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.config.GgufConfig;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.weights.CheckpointReader;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.GgufWeights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Loads a Hugging Face checkpoint directory or a GGUF file into a {@link CausalLM}: the one place
 * that chooses the backend ({@link Backend#choose}).
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** Whether {@code path} names a GGUF model file (rather than a checkpoint directory). */
    public static boolean isGguf(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf");
    }

    /**
     * A model for inference, on the backend {@link Backend#choose} picks for {@code o}, from a
     * checkpoint directory or a {@code .gguf} file ({@link #loadGguf}).
     */
    public static CausalLM load(Path dir, LoadOptions o) {
        if (isGguf(dir)) return loadGguf(dir, o);
        if (o.dtype().orElse(ComputeDType.F16) == ComputeDType.Q4_K)
            throw new IllegalArgumentException("dtype q4_k runs GGUF files stored in Q4_K; a checkpoint is quantised with q8_0 or q4_0");
        ModelConfig read = HfConfig.read(dir);
        ModelConfig cfg = read.withAttention(o.attention().resolve(read.attention(), read.headDim()));
        int positions = o.maxPositions() > 0 ? o.maxPositions() : cfg.maxPositionEmbeddings();
        try (CheckpointReader reader = CheckpointReader.open(dir)) {
            ComputeDType dtype = o.dtype().orElseGet(() -> reader.fileDType(HfNames.EMBED) == FileDType.F32
                    ? ComputeDType.F32 : ComputeDType.F16);
            Backend backend = Backend.choose(cfg, dtype, o.backend(), o.threads());
            if (backend.kind() == Backend.Kind.JAVA) {
                Optional<PackedCache> cache = dtype == ComputeDType.F16 ? PackedCache.open(dir, reader.files(), o.weightCache()) : Optional.empty();
                try {
                    return JavaDecoder.load(reader, cfg, positions, backend, dtype, o.kvDType(backend.kind()), cache, o.attention().options());
                } finally {
                    cache.ifPresent(PackedCache::close);
                }
            }
            // PyTorch reads its thread count when its engine starts, which loading the weights does
            o.kvDType(backend.kind()); // refuses an f16 cache before the weights are read
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(backend.torchThreads()));
            NDManager manager = NDManager.newBaseManager();
            try {
                return tensorDecoder(reader, cfg, dtype, positions, manager, backend, o.attention().options());
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }
    }

    /**
     * A GGUF model file on the Java decoder (the only one that reads GGUF). The weights' dtype is
     * the file's unless {@code o} sets one: q8_0, q4_0 or q4_k when the projections are stored so
     * (packed as stored), q8_0 for Q6_K files (requantised at load), else f16.
     */
    static CausalLM loadGguf(Path file, LoadOptions o) {
        GgufFile g = GgufFile.open(file, Long.MAX_VALUE);
        try {
            ModelConfig read = GgufConfig.read(g);
            ModelConfig cfg = read.withAttention(o.attention().resolve(read.attention(), read.headDim()));
            int positions = o.maxPositions() > 0 ? o.maxPositions() : cfg.maxPositionEmbeddings();
            try (GgufWeights weights = new GgufWeights(g, cfg.architecture() == Architecture.LLAMA, cfg.headDim())) {
                String probe = HfNames.layer(0, HfNames.DOWN);
                ComputeDType dtype = o.dtype().orElseGet(() -> switch (weights.type(probe, new long[] {cfg.hiddenSize(), cfg.intermediateSize()})) {
                    case Q8_0, Q6_K -> ComputeDType.Q8_0; // Q6_K runs requantised to Q8_0
                    case Q4_0 -> ComputeDType.Q4_0;
                    case Q4_K -> ComputeDType.Q4_K;
                    default -> ComputeDType.F16;
                });
                if (o.backend() == Backend.Request.TENSOR)
                    throw new IllegalArgumentException("GGUF files run on the java backend, not the tensor backend");
                if (dtype == ComputeDType.F32)
                    throw new IllegalArgumentException("GGUF files run on the java backend in f16, q8_0, q4_0 or q4_k, not f32");
                Backend.javaUnfit(cfg, dtype).ifPresent(why -> {
                    throw new IllegalArgumentException("the java backend cannot run this GGUF model: " + why);
                });
                Backend backend = new Backend(Backend.Kind.JAVA, o.threads(), "GGUF file, " + dtype.label() + " weights");
                return JavaDecoder.load(weights, cfg, positions, backend, dtype, o.kvDType(backend.kind()), Optional.empty(),
                        o.attention().options());
            }
        } finally {
            g.close();
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
        return loadTensor(dir, dtype, maxPositions, AttentionChoice.DEFAULT);
    }

    /** {@link #loadTensor(Path, ComputeDType, int)} with an attention choice. */
    public static TensorDecoder loadTensor(Path dir, ComputeDType dtype, int maxPositions, AttentionChoice attention) {
        if (dtype.quantized())
            throw new IllegalArgumentException("the tensor decoder runs f32 or f16 weights, not " + dtype.label() + " (it runs on the java decoder)");
        ModelConfig read = HfConfig.read(dir);
        ModelConfig cfg = read.withAttention(attention.resolve(read.attention(), read.headDim()));
        int positions = maxPositions > 0 ? maxPositions : cfg.maxPositionEmbeddings();
        Backend backend = new Backend(Backend.Kind.TENSOR, Math.max(1, Runtime.getRuntime().availableProcessors()), "offline work");
        NDManager manager = NDManager.newBaseManager();
        try (CheckpointReader reader = CheckpointReader.open(dir)) {
            return tensorDecoder(reader, cfg, dtype, positions, manager, backend, attention.options());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The weights, and the beacon parameters where the settings list them. */
    private static TensorDecoder tensorDecoder(CheckpointReader reader, ModelConfig cfg, ComputeDType dtype, int positions,
                                               NDManager manager, Backend backend, dev.vane.attention.AttentionOptions options) {
        ModelWeights weights = WeightLoader.load(reader, cfg, dtype, manager);
        Optional<TensorBeacon> beacon = cfg.beacon().map(b -> TensorBeacon.load(reader, cfg, b, weights, dtype, manager));
        return new TensorDecoder(cfg, weights, dtype, positions, manager, backend, options, beacon);
    }
}
