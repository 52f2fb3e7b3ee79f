package dev.vane.engine.gguf;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
 * Writes GGUF v3 files (control-vector export, model conversion, tests): metadata of the common
 * scalar types and string and integer arrays; tensors of any {@link GgmlType}, given as floats
 * (F32, F16) or as a {@link Body} that writes their bytes when the file is written, so a model's
 * tensors stream through one at a time; data aligned to {@code general.alignment} (32 unless set).
 * The file appears atomically.
 */
public final class GgufWriter {

    private record Entry(GgufValueType type, Object value) {}

    /** Writes a tensor's data, exactly {@link GgmlType#byteSize} bytes of it. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Tensor(String name, long[] dims, GgmlType type, long bytes, Body body) {}

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
    public GgufWriter putInt32Array(String key, int[] values) {
        return put(key, GgufValueType.ARRAY, values.clone());
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
        if (type != GgmlType.F32 && type != GgmlType.F16) throw new IllegalArgumentException(name + ": floats are written as F32 or F16, not " + type);
        long n = 1;
        for (long d : dims) n *= d;
        if (n != data.length) throw new IllegalArgumentException(name + ": dims hold " + n + " values, got " + data.length);
        float[] copy = data.clone();
        return addTensor(name, type, dims, out -> {
            ByteBuffer b = ByteBuffer.allocate(copy.length * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : copy) {
                if (type == GgmlType.F32) b.putFloat(f);
                else b.putShort(Float.floatToFloat16(f));
            }
            out.write(b.array());
        });
    }

    /**
     * Adds a tensor whose bytes {@code body} writes when the file is written.
     *
     * @param dims ggml order, innermost first; whole blocks of {@code type}
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, Body body) {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        long bytes = type.byteSize(n);
        if (bytes < 0 || dims.length == 0 || dims[0] % type.blockSize() != 0)
            throw new IllegalArgumentException(name + ": rows of " + dims[0] + " are not whole " + type + " blocks of " + type.blockSize());
        if (tensors.stream().anyMatch(t -> t.name.equals(name))) throw new IllegalArgumentException("duplicate tensor " + name);
        tensors.add(new Tensor(name, dims.clone(), type, bytes, body));
        return this;
    }

    /** The file's bytes. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeTo(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes the file atomically (temporary sibling, then rename), streaming each tensor's bytes. */
    public void write(Path path) throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20)) {
            writeTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void writeTo(OutputStream sink) throws IOException {
        Out out = new Out(sink);
        out.u32(GgufFile.MAGIC).u32(3).u64(tensors.size()).u64(metadata.size());
        for (var e : metadata.entrySet()) {
            out.string(e.getKey()).u32(e.getValue().type.id());
            out.value(e.getValue().type, e.getValue().value);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name).u32(t.dims.length);
            for (long d : t.dims) out.u64(d);
            out.u32(t.type.id()).u64(offset);
            offset = align(offset + t.bytes);
        }
        out.pad(alignment);
        for (Tensor t : tensors) {
            long before = out.written;
            t.body.writeTo(out.counting);
            if (out.written - before != t.bytes)
                throw new IllegalStateException(t.name + ": wrote " + (out.written - before) + " bytes, expected " + t.bytes);
            out.pad(alignment);
        }
    }

    private long align(long n) { return (n + alignment - 1) / alignment * alignment; }

    /** A little-endian byte sink that counts what passes. */
    private static final class Out {
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long written;
        final OutputStream counting;

        Out(OutputStream sink) {
            counting = new FilterOutputStream(sink) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    written++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    written += len;
                }
            };
        }

        private Out put(int n) throws IOException {
            counting.write(scratch.array(), 0, n);
            scratch.clear();
            return this;
        }

        Out u32(long v) throws IOException { scratch.putInt((int) v); return put(4); }
        Out u64(long v) throws IOException { scratch.putLong(v); return put(8); }
        Out f32(float v) throws IOException { scratch.putFloat(v); return put(4); }

        Out string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            counting.write(b);
            return this;
        }

        @SuppressWarnings("unchecked")
        void value(GgufValueType type, Object v) throws IOException {
            switch (type) {
                case STRING -> string((String) v);
                case UINT32, INT32 -> u32((Long) v);
                case UINT64 -> u64((Long) v);
                case FLOAT32 -> f32((Float) v);
                case BOOL -> counting.write((Boolean) v ? 1 : 0);
                case ARRAY -> {
                    if (v instanceof int[] ints) {
                        u32(GgufValueType.INT32.id()).u64(ints.length);
                        for (int i : ints) u32(i);
                    } else {
                        List<String> list = (List<String>) v;
                        u32(GgufValueType.STRING.id()).u64(list.size());
                        for (String e : list) string(e);
                    }
                }
                default -> throw new IllegalStateException("no writer for " + type);
            }
        }

        void pad(int alignment) throws IOException {
            while (written % alignment != 0) counting.write(0);
        }
    }
}
