package dev.vane.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.kernel.F16Gemv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the tensors of a Hugging Face checkpoint directory: {@code model.safetensors}, or the
 * shards listed by {@code model.safetensors.index.json}. Each tensor is mapped, converted to the
 * requested element type and copied into one native array; the mapping is dropped right after,
 * so at most one tensor's worth of extra memory is live at a time.
 */
public final class CheckpointReader implements WeightSource {

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

    /** The weight files, in the order they were opened. */
    @Override
    public Collection<Path> files() { return Collections.unmodifiableCollection(files.keySet()); }

    @Override
    public boolean has(String name) { return byTensor.containsKey(name); }

    @Override
    public java.util.Set<String> names() { return java.util.Collections.unmodifiableSet(byTensor.keySet()); }

    public FileDType fileDType(String name) { return info(name).dtype(); }

    /** The shape tensor {@code name} is stored with. */
    public long[] shape(String name) { return info(name).shape().clone(); }

    private TensorInfo info(String name) {
        return fileOf(name).tensors().get(name);
    }

    /**
     * Loads {@code name}, checks its shape, and returns an array of {@code target} type
     * ({@code FLOAT32} or {@code FLOAT16}) owned by {@code manager}.
     */
    public NDArray load(String name, long[] expectedShape, DataType target, NDManager manager) {
        SafetensorsFile f = fileOf(name);
        TensorInfo t = checked(f, name, expectedShape);
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

    /**
     * A 2-d tensor {@code [rows, cols]} read row by row as f16 bits. F16 is copied; BF16 and F32
     * are rounded to the nearest f16, ties to even, as PyTorch converts. Rows are read from the
     * file on demand (positional reads, a few rows at a time), so reading never maps the file into
     * the process; several threads may read at once.
     */
    @Override
    public F16Rows f16Rows(String name, long[] expectedShape) {
        if (expectedShape.length != 2) throw new IllegalArgumentException("f16Rows reads 2-d tensors");
        SafetensorsFile f = fileOf(name);
        TensorInfo t = checked(f, name, expectedShape);
        return new F16Rows(f, t, Math.toIntExact(expectedShape[0]), Math.toIntExact(expectedShape[1]));
    }

    /** A tensor of {@code expectedShape} as f32 values (F16 and BF16 widened exactly). */
    @Override
    public float[] floats(String name, long[] expectedShape) {
        SafetensorsFile f = fileOf(name);
        TensorInfo t = checked(f, name, expectedShape);
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
        f.read(t, 0, b);
        b.flip();
        float[] out = new float[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < out.length; i++)
            out[i] = switch (t.dtype()) {
                case F32 -> b.getFloat();
                case F16 -> Float.float16ToFloat(b.getShort());
                case BF16 -> DTypes.bf16ToFloat(b.getShort());
            };
        return out;
    }

    /** The rows of a 2-d tensor as f16 bits, read from its file a block of rows at a time per thread. */
    public static final class F16Rows implements F16Gemv.Rows {
        private final TensorInfo tensor;
        private final int rows, cols;
        private final RowBlocks blocks;

        private F16Rows(SafetensorsFile file, TensorInfo tensor, int rows, int cols) {
            this.tensor = tensor;
            this.rows = rows;
            this.cols = cols;
            this.blocks = new RowBlocks((offset, dst) -> file.read(tensor, offset, dst), rows, cols * tensor.dtype().bytes());
        }

        public int rows() { return rows; }
        public int cols() { return cols; }

        /** Row {@code r} into {@code dst[0 .. cols)}. */
        @Override
        public void row(int r, short[] dst) {
            ByteBuffer bytes = blocks.row(r);
            int at = blocks.at(r);
            switch (tensor.dtype()) {
                case F16 -> bytes.asShortBuffer().get(at / 2, dst, 0, cols);
                case BF16 -> {
                    for (int i = 0; i < cols; i++) dst[i] = Float.floatToFloat16(DTypes.bf16ToFloat(bytes.getShort(at + 2 * i)));
                }
                case F32 -> {
                    for (int i = 0; i < cols; i++) dst[i] = Float.floatToFloat16(bytes.getFloat(at + 4 * i));
                }
            }
        }
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) throw new CheckpointException(describeFiles() + ": missing tensor '" + name + "'");
        return f;
    }

    private static TensorInfo checked(SafetensorsFile f, String name, long[] expectedShape) {
        TensorInfo t = f.tensors().get(name);
        if (!Arrays.equals(t.shape(), expectedShape))
            throw new CheckpointException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        return t;
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
