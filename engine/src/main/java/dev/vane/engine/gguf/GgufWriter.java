package dev.vane.steering.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small GGUF v3 files (control-vector export, tests): metadata of the common scalar types
 * and string arrays, F32 or F16 tensors, data aligned to {@code general.alignment} (32 unless set).
 * Everything is assembled in memory and the file appears atomically.
 */
public final class GgufWriter {

    private record Entry(GgufValueType type, Object value) {}

    private record Tensor(String name, long[] dims, GgmlType type, float[] data) {}

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    public GgufWriter putString(String key, String value) { return put(key, GgufValueType.STRING, value); }
    public GgufWriter putUint32(String key, long value) { return put(key, GgufValueType.UINT32, value); }
    public GgufWriter putInt32(String key, int value) { return put(key, GgufValueType.INT32, (long) value); }
    public GgufWriter putUint64(String key, long value) { return put(key, GgufValueType.UINT64, value); }
    public GgufWriter putFloat32(String key, float value) { return put(key, GgufValueType.FLOAT32, value); }
    public GgufWriter putBool(String key, boolean value) { return put(key, GgufValueType.BOOL, value); }
    public GgufWriter putStringArray(String key, List<String> values) {
        return put(key, GgufValueType.ARRAY, List.copyOf(values));
    }

    /** Sets {@code general.alignment} (a power of two) and aligns the data to it. */
    public GgufWriter alignment(int a) {
        if (a <= 0 || Integer.bitCount(a) != 1) throw new IllegalArgumentException("alignment must be a power of two");
        alignment = a;
        return putUint32(GgufFile.ALIGNMENT_KEY, a);
    }

    private GgufWriter put(String key, GgufValueType type, Object value) {
        if (metadata.put(key, new Entry(type, value)) != null) throw new IllegalArgumentException("duplicate key " + key);
        return this;
    }

    /**
     * Adds a tensor.
     *
     * @param dims ggml order, innermost first; their product must equal {@code data.length}
     */
    public GgufWriter addTensor(String name, GgmlType type, float[] data, long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        if (n != data.length) throw new IllegalArgumentException(name + ": dims hold " + n + " values, got " + data.length);
        if (tensors.stream().anyMatch(t -> t.name.equals(name))) throw new IllegalArgumentException("duplicate tensor " + name);
        tensors.add(new Tensor(name, dims.clone(), type, data.clone()));
        return this;
    }

    /** The file's bytes. */
    public byte[] toBytes() {
        Out out = new Out();
        out.u32(GgufFile.MAGIC).u32(3).u64(tensors.size()).u64(metadata.size());
        metadata.forEach((k, e) -> {
            out.string(k).u32(e.type.id());
            out.value(e.type, e.value);
        });
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Tensor t : tensors) {
            out.string(t.name).u32(t.dims.length);
            for (long d : t.dims) out.u64(d);
            out.u32(t.type.id()).u64(offset);
            offsets.add(offset);
            offset = align(offset + (long) t.data.length * t.type.bytes());
        }
        out.pad(alignment);
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            for (float f : t.data) {
                if (t.type == GgmlType.F32) out.f32(f);
                else out.u16(Float.floatToFloat16(f));
            }
            out.pad(alignment);
        }
        return out.bytes();
    }

    /** Writes the file atomically (temporary sibling, then rename). */
    public void write(Path path) throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.write(temp, toBytes());
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private long align(long n) { return (n + alignment - 1) / alignment * alignment; }

    /** A little-endian byte sink. */
    private static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        private Out put(int n) {
            bytes.write(scratch.array(), 0, n);
            scratch.clear();
            return this;
        }

        Out u16(short v) { scratch.putShort(v); return put(2); }
        Out u32(long v) { scratch.putInt((int) v); return put(4); }
        Out u64(long v) { scratch.putLong(v); return put(8); }
        Out f32(float v) { scratch.putFloat(v); return put(4); }

        Out string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes.writeBytes(b);
            return this;
        }

        @SuppressWarnings("unchecked")
        void value(GgufValueType type, Object v) {
            switch (type) {
                case STRING -> string((String) v);
                case UINT32, INT32 -> u32((Long) v);
                case UINT64 -> u64((Long) v);
                case FLOAT32 -> f32((Float) v);
                case BOOL -> bytes.write((Boolean) v ? 1 : 0);
                case ARRAY -> {
                    List<String> list = (List<String>) v;
                    u32(GgufValueType.STRING.id()).u64(list.size());
                    list.forEach(this::string);
                }
                default -> throw new IllegalStateException("no writer for " + type);
            }
        }

        void pad(int alignment) {
            while (bytes.size() % alignment != 0) bytes.write(0);
        }

        byte[] bytes() { return bytes.toByteArray(); }
    }
}
