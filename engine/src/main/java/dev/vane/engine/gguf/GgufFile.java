package dev.vane.steering.gguf;

import dev.vane.engine.text.Snippet;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (the llama.cpp container), read by us from the format description: little-endian
 *
 * <pre>
 *   u32 magic "GGUF" · u32 version (2 or 3) · u64 tensor_count · u64 metadata_kv_count
 *   metadata_kv_count × (string key · u32 value_type · value)
 *   tensor_count × (string name · u32 n_dims · n_dims × u64 ne · u32 ggml_type · u64 offset)
 *   padding to general.alignment (default 32) · tensor data (each offset a multiple of the alignment)
 * </pre>
 *
 * where a string is {@code u64 length} plus UTF-8 bytes and an array value is {@code u32 element
 * type · u64 count · elements}. Version 1 (32-bit counts) is rejected. The whole file is mapped
 * once, so files over 2 GiB are rejected; control vectors are kilobytes to megabytes.
 *
 * <p>Every error names the file, and the tensor or key being read: a truncated download or a
 * quantised model passed by mistake should say so, not fail with an index error.
 */
public final class GgufFile {

    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    private static final int MAX_DIMS = 4;
    /**
     * Deepest nesting of array values read. Arrays of arrays are legal GGUF but no control vector
     * or model uses them (llama.cpp's loader rejects them); the bound keeps a hostile file from
     * exhausting the reader's stack.
     */
    static final int MAX_ARRAY_DEPTH = 8;

    private final Path path;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataStart;
    private final ByteBuffer bytes;

    private GgufFile(Path path, int version, Map<String, GgufValue> metadata, Map<String, GgufTensorInfo> tensors,
                     int alignment, long dataStart, ByteBuffer bytes) {
        this.path = path;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
        this.dataStart = dataStart;
        this.bytes = bytes;
    }

    /**
     * Opens and validates a file: header, metadata, tensor table and that every F32/F16 tensor's
     * data lies inside the file.
     *
     * @param maxBytes the largest file accepted (a guard for uploads)
     * @throws GgufException naming the file and what is wrong
     */
    public static GgufFile open(Path path, long maxBytes) {
        ByteBuffer buf;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > maxBytes) throw new GgufException(path + ": " + size + " bytes, more than the limit of " + maxBytes);
            if (size > Integer.MAX_VALUE) throw new GgufException(path + ": files over 2 GiB are not supported");
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            throw new GgufException(path + ": file not found");
        } catch (IOException e) {
            throw new GgufException(path + ": cannot read: " + e.getMessage(), e);
        }
        return parse(path, buf);
    }

    /** Parses GGUF bytes already in memory; {@code source} names them in errors. */
    public static GgufFile parse(Path source, ByteBuffer data) {
        return new Parser(source, data.duplicate().order(ByteOrder.LITTLE_ENDIAN)).parse();
    }

    public Path path() { return path; }
    public int version() { return version; }
    public int alignment() { return alignment; }
    /** Metadata in file order. */
    public Map<String, GgufValue> metadata() { return metadata; }
    /** Tensor entries in file order. */
    public Map<String, GgufTensorInfo> tensors() { return tensors; }

    /** @throws GgufException naming the file and tensor when it is absent or not F32/F16 */
    public float[] floats(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) throw new GgufException(path + ": no tensor '" + name + "'");
        GgmlType type = t.type().orElseThrow(() -> new GgufException(path + ": tensor '" + name
                + "': unsupported type " + GgmlType.describe(t.typeId()) + " (F32 and F16 are read)"));
        int n = Math.toIntExact(t.elementCount());
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(Math.toIntExact(dataStart + t.offset()));
        float[] out = new float[n];
        switch (type) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort());
            }
        }
        return out;
    }

    /** Reads the header and tables with bounds checks that name what was being read. */
    private static final class Parser {
        private final Path path;
        private final ByteBuffer b;
        private String what = "header";
        private int depth;

        Parser(Path path, ByteBuffer b) {
            this.path = path;
            this.b = b;
        }

        GgufFile parse() {
            try {
                if (b.remaining() < 4) throw fail("truncated file: " + b.remaining() + " bytes, no GGUF header");
                int magic = b.getInt();
                if (magic != MAGIC) throw fail("bad magic 0x" + Integer.toHexString(magic) + ", not a GGUF file");
                int version = b.getInt();
                if (version != 2 && version != 3)
                    throw fail("unsupported GGUF version " + version + " (2 and 3 are read)");
                long tensorCount = b.getLong();
                long kvCount = b.getLong();
                // every entry takes at least 8 bytes, which bounds the counts before allocating
                if (tensorCount < 0 || kvCount < 0 || tensorCount > b.remaining() / 8 || kvCount > b.remaining() / 8)
                    throw fail("truncated or corrupt header: " + tensorCount + " tensors and " + kvCount
                            + " metadata entries cannot fit in " + b.capacity() + " bytes");
                Map<String, GgufValue> meta = new LinkedHashMap<>();
                for (long i = 0; i < kvCount; i++) {
                    what = "metadata entry " + i;
                    String key = string();
                    what = "metadata '" + Snippet.of(key) + "'";
                    GgufValue v = value(type(b.getInt()));
                    if (meta.put(key, v) != null) throw fail("duplicate metadata key '" + Snippet.of(key) + "'");
                }
                int alignment = alignment(meta.get(ALIGNMENT_KEY));
                Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
                for (long i = 0; i < tensorCount; i++) {
                    what = "tensor info " + i;
                    String name = string();
                    what = "tensor '" + Snippet.of(name) + "'";
                    int nDims = b.getInt();
                    if (nDims < 1 || nDims > MAX_DIMS) throw fail(what + ": " + nDims + " dimensions (1.." + MAX_DIMS + ")");
                    long[] dims = new long[nDims];
                    for (int d = 0; d < nDims; d++) {
                        dims[d] = b.getLong();
                        if (dims[d] < 0) throw fail(what + ": negative dimension " + dims[d]);
                    }
                    int type = b.getInt();
                    long offset = b.getLong();
                    if (offset < 0 || offset % alignment != 0)
                        throw fail(what + ": data offset " + offset + " is not a multiple of the alignment " + alignment);
                    if (tensors.put(name, new GgufTensorInfo(name, dims, type, offset)) != null)
                        throw fail("duplicate tensor '" + Snippet.of(name) + "'");
                }
                what = "tensor data";
                long dataStart = (b.position() + (long) alignment - 1) / alignment * alignment;
                for (GgufTensorInfo t : tensors.values()) {
                    if (t.type().isEmpty()) continue; // size unknown; reading it fails with the type named
                    long end;
                    try {
                        end = dataStart + t.offset() + Math.multiplyExact(t.elementCount(), t.type().get().bytes());
                    } catch (ArithmeticException e) {
                        throw fail("tensor '" + t.name() + "': size overflows");
                    }
                    if (end > b.capacity())
                        throw fail("truncated file: tensor '" + t.name() + "' ends at byte " + end + " but the file has "
                                + b.capacity());
                }
                return new GgufFile(path, version, Collections.unmodifiableMap(meta),
                        Collections.unmodifiableMap(tensors), alignment, dataStart, b);
            } catch (BufferUnderflowException e) {
                throw fail("truncated file while reading " + what);
            }
        }

        private int alignment(GgufValue v) {
            if (v == null) return DEFAULT_ALIGNMENT;
            if (!v.isInteger()) throw fail(ALIGNMENT_KEY + ": expected an integer, found " + v.type());
            long a = v.asLong();
            if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1)
                throw fail(ALIGNMENT_KEY + ": " + a + " is not a power of two");
            return (int) a;
        }

        private GgufValueType type(int id) {
            GgufValueType t = GgufValueType.byId(id);
            if (t == null) throw fail(what + ": unknown value type " + id);
            return t;
        }

        private GgufValue value(GgufValueType t) {
            Object v = switch (t) {
                case UINT8 -> (long) Byte.toUnsignedInt(b.get());
                case INT8 -> (long) b.get();
                case UINT16 -> (long) Short.toUnsignedInt(b.getShort());
                case INT16 -> (long) b.getShort();
                case UINT32 -> Integer.toUnsignedLong(b.getInt());
                case INT32 -> (long) b.getInt();
                case UINT64, INT64 -> b.getLong();
                case FLOAT32 -> b.getFloat();
                case FLOAT64 -> b.getDouble();
                case BOOL -> {
                    byte x = b.get();
                    if (x != 0 && x != 1) throw fail(what + ": bool byte " + x);
                    yield x == 1;
                }
                case STRING -> string();
                case ARRAY -> array();
            };
            return new GgufValue(t, v);
        }

        private List<GgufValue> array() {
            if (++depth > MAX_ARRAY_DEPTH)
                throw fail(what + ": arrays nested more than " + MAX_ARRAY_DEPTH + " deep");
            GgufValueType et = type(b.getInt());
            long n = b.getLong();
            long min = et.size() > 0 ? et.size() : 8; // a string or nested array takes at least 8 bytes
            if (n < 0 || n > b.remaining() / min)
                throw fail("truncated file: " + what + " declares " + n + " array elements");
            List<GgufValue> out = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) out.add(value(et));
            depth--;
            return Collections.unmodifiableList(out);
        }

        private String string() {
            long len = b.getLong();
            if (len < 0 || len > b.remaining())
                throw fail("truncated file: " + what + " declares a string of " + len + " bytes, "
                        + b.remaining() + " remain");
            byte[] s = new byte[(int) len];
            b.get(s);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(s)).toString();
            } catch (CharacterCodingException e) {
                throw fail(what + ": string is not valid UTF-8");
            }
        }

        private GgufException fail(String message) {
            return new GgufException(path + ": " + message);
        }
    }
}
