package dev.vane.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the tensors of a Hugging Face checkpoint directory: {@code model.safetensors}, or the
 * shards listed by {@code model.safetensors.index.json}. Each tensor is mapped, converted to the
 * requested element type and copied into one native array; the mapping is dropped right after,
 * so at most one tensor's worth of extra memory is live at a time.
 */
public final class CheckpointReader implements AutoCloseable {

    private final Map<String, SafetensorsFile> byTensor;
    private final Map<Path, SafetensorsFile> files;

    private CheckpointReader(Map<String, SafetensorsFile> byTensor, Map<Path, SafetensorsFile> files) {
        this.byTensor = byTensor;
        this.files = files;
    }

    public static CheckpointReader open(Path dir) {
        Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new HashMap<>();
        try {
            Path index = dir.resolve("model.safetensors.index.json");
            if (Files.exists(index)) {
                JsonNode root;
                try {
                    root = new ObjectMapper().readTree(Files.readString(index));
                } catch (IOException e) {
                    throw new CheckpointException(index + ": malformed JSON: " + e.getMessage());
                }
                JsonNode map = root == null ? null : root.get("weight_map");
                if (map == null || !map.isObject()) throw new CheckpointException(index + ": missing 'weight_map'");
                for (var it = map.fields(); it.hasNext(); ) {
                    var e = it.next();
                    Path shard = dir.resolve(e.getValue().asText()).normalize();
                    if (!shard.startsWith(dir.normalize()))
                        throw new CheckpointException(index + ": shard path escapes the model directory: " + e.getValue());
                    SafetensorsFile f = files.computeIfAbsent(shard, SafetensorsFile::open);
                    if (!f.tensors().containsKey(e.getKey()))
                        throw new CheckpointException(shard + ": tensor '" + e.getKey() + "' listed in " + index
                                + " is missing from the shard");
                    byTensor.put(e.getKey(), f);
                }
            } else {
                Path single = dir.resolve("model.safetensors");
                SafetensorsFile f = SafetensorsFile.open(single);
                files.put(single, f);
                f.tensors().keySet().forEach(n -> byTensor.put(n, f));
            }
        } catch (RuntimeException e) {
            files.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new CheckpointReader(byTensor, files);
    }

    public boolean has(String name) { return byTensor.containsKey(name); }

    public FileDType fileDType(String name) { return info(name).dtype(); }

    private TensorInfo info(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) throw new CheckpointException(describeFiles() + ": missing tensor '" + name + "'");
        return f.tensors().get(name);
    }

    /**
     * Loads {@code name}, checks its shape, and returns an array of {@code target} type
     * ({@code FLOAT32} or {@code FLOAT16}) owned by {@code manager}.
     */
    public NDArray load(String name, long[] expectedShape, DataType target, NDManager manager) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) throw new CheckpointException(describeFiles() + ": missing tensor '" + name + "'");
        TensorInfo t = f.tensors().get(name);
        if (!Arrays.equals(t.shape(), expectedShape))
            throw new CheckpointException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        ByteBuffer bytes = f.map(t);
        Shape shape = new Shape(expectedShape);
        // manager.create wraps a direct buffer without copying: every path below copies once
        // into memory the array owns before the mapping can go away.
        return switch (t.dtype()) {
            case F32 -> convert(manager.create(bytes, shape, DataType.FLOAT32), target);
            case F16 -> convert(manager.create(bytes, shape, DataType.FLOAT16), target);
            case BF16 -> {
                NDArray f32 = manager.create(DTypes.bf16ToF32(bytes, t.elementCount()), shape, DataType.FLOAT32);
                yield convert(f32, target);
            }
        };
    }

    private static NDArray convert(NDArray wrapped, DataType target) {
        NDArray owned = wrapped.getDataType() == target ? wrapped.duplicate() : wrapped.toType(target, true);
        wrapped.close();
        return owned;
    }

    private String describeFiles() {
        return files.size() == 1 ? files.keySet().iterator().next().toString() : files.keySet().toString();
    }

    @Override
    public void close() {
        files.values().forEach(SafetensorsFile::close);
    }
}
