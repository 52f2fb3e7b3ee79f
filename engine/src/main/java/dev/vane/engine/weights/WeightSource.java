package dev.vane.engine.weights;

import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.kernel.BlockRows;
import dev.vane.engine.kernel.F16Gemv;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * The tensors of a model file as the Java decoder reads them, under their Hugging Face names
 * ({@code model.layers.0.self_attn.q_proj.weight}) and Hugging Face layouts, whatever the file:
 * a safetensors checkpoint ({@link CheckpointReader}) or a GGUF file ({@link GgufWeights}).
 * Every method checks the shape and names the file and tensor when it is wrong or absent.
 */
public interface WeightSource extends AutoCloseable {

    /** The files the tensors come from (they identify the packed-weights cache's source). */
    Collection<Path> files();

    boolean has(String name);

    /** The Hugging Face names of the tensors the file holds (a GGUF file: none listed). */
    default java.util.Set<String> names() { return java.util.Set.of(); }

    /** A tensor of {@code shape} as f32 values (exact for F32, F16 and BF16 storage). */
    float[] floats(String name, long[] shape);

    /** The rows of a 2-d tensor {@code [rows, cols]} as f16 bits (rounded to nearest even where stored wider). */
    F16Gemv.Rows f16Rows(String name, long[] shape);

    /** Whether tensor {@code name} is stored in a quantised block format (rather than as floats). */
    default boolean storedInBlocks(String name) {
        return false;
    }

    /**
     * The rows of a 2-d tensor as blocks of {@code type} (Q8_0, Q4_0 or Q4_K: {@link BlockRows}),
     * when it is stored so (no requantisation); else empty.
     */
    default Optional<BlockRows> blockRows(String name, long[] shape, GgmlType type) {
        return Optional.empty();
    }

    @Override
    void close();
}
