package dev.vane.engine.gguf;

import dev.vane.engine.text.Snippet;

import java.io.EOFException;
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
 * type · u64 count · elements}. Version 1 (32-bit counts) is rejected.
 *
 * <p>A file is never mapped: the header is read into memory (a growing prefix until it parses),
 * tensor data by positional reads ({@link #read}), so model files of any size open and the process
 * holds only what the caller copies out. Every error names the file, and the tensor or key being
 * read: a truncated download or a tensor of a type Vane cannot read should say so, not fail with an
 * index error.
 */
public final class GgufFile implements AutoCloseable {

    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    private static final int MAX_DIMS = 4;
    /** First prefix read for the header; it grows fourfold until the header fits. */
    private static final int FIRST_PREFIX = 1 << 20;
    /** The largest header read (a model's vocabulary and merges take a few to tens of megabytes). */
    private static final int MAX_HEADER = 1 << 30;
    /**
     * Deepest nesting of array values read. Arrays of arrays are legal GGUF but no control vector
     * or model uses them (llama.cpp's loader rejects them); the bound keeps a hostile file from
     * exhausting the reader's stack.
     */
    static final int MAX_ARRAY_DEPTH = 8;

    /** Where the bytes come from: an open file or memory. */
    private interface Source extends AutoCloseable {
        /** Fills {@code dst} from {@code position} on. */
        void read(long position, ByteBuffer dst) throws IOException;

        @Override
        void close();
    }

    private final Path path;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataStart;
    private final Source source;

    private GgufFile(Path path, Header h, Source source) {
        this.path = path;
        this.version = h.version;
        this.metadata = h.metadata;
        this.tensors = h.tensors;
        this.alignment = h.alignment;
        this.dataStart = h.dataStart;
        this.source = source;
    }

    /**
     * Opens and validates a file: header, metadata, tensor table and that every tensor of a type
     * Vane reads lies inside the file. The file stays open until {@link #close}.
     *
     * @param maxBytes the largest file accepted (a guard for uploads)
     * @throws GgufException naming the file and what is wrong
     */
    public static GgufFile open(Path path, long maxBytes) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new GgufException(path + ": file not found");
        } catch (IOException e) {
            throw new GgufException(path + ": cannot read: " + e.getMessage(), e);
        }
        Source source = new Source() {
            @Override
            public void read(long position, ByteBuffer dst) throws IOException {
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, position);
                    if (n < 0) throw new EOFException("end of file at byte " + position);
                    position += n;
                }
            }

            @Override
            public void close() {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing was written
                }
            }
        };
        try {
            long size = ch.size();
            if (size > maxBytes) throw new GgufException(path + ": " + size + " bytes, more than the limit of " + maxBytes);
            for (long prefix = Math.min(size, FIRST_PREFIX); ; prefix = Math.min(size, prefix * 4)) {
                ByteBuffer head = ByteBuffer.allocate((int) prefix).order(ByteOrder.LITTLE_ENDIAN);
                source.read(0, head);
                head.flip();
                try {
                    return new GgufFile(path, new Parser(path, head, size).parse(), source);
                } catch (NeedMore e) {
                    long limit = Math.min(MAX_HEADER, Runtime.getRuntime().maxMemory() / 4);
                    if (prefix * 4 > limit && prefix < size)
                        throw new GgufException(path + ": header larger than " + limit + " bytes, or corrupt counts in it");
                }
            }
        } catch (IOException e) {
            source.close();
            throw new GgufException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            source.close();
            throw e;
        }
    }

    /** Parses GGUF bytes already in memory; {@code source} names them in errors. */
    public static GgufFile parse(Path source, ByteBuffer data) {
        ByteBuffer all = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        Header h = new Parser(source, all.duplicate().order(ByteOrder.LITTLE_ENDIAN), all.limit()).parse();
        return new GgufFile(source, h, new Source() {
            @Override
            public void read(long position, ByteBuffer dst) {
                ByteBuffer from = all.duplicate();
                from.position(Math.toIntExact(position)).limit(Math.toIntExact(position + dst.remaining()));
                dst.put(from);
            }

            @Override
            public void close() {}
        });
    }

    public Path path() { return path; }
    public int version() { return version; }
    public int alignment() { return alignment; }
    /** Metadata in file order. */
    public Map<String, GgufValue> metadata() { return metadata; }
    /** Tensor entries in file order. */
    public Map<String, GgufTensorInfo> tensors() { return tensors; }

    /** The string at {@code key}. @throws GgufException naming the key when it is absent or not a string */
    public String string(String key) {
        GgufValue v = required(key);
        if (v.type() != GgufValueType.STRING) throw new GgufException("'" + key + "' must be a string, got " + v.type());
        return (String) v.value();
    }

    /** The array at {@code key}. @throws GgufException naming the key when it is absent or not an array */
    public List<GgufValue> array(String key) {
        GgufValue v = required(key);
        if (v.type() != GgufValueType.ARRAY) throw new GgufException("'" + key + "' must be an array, got " + v.type());
        return v.asList();
    }

    /** The integer at {@code key}, which must fit a non-negative int. @throws GgufException naming the key otherwise */
    public int integer(String key) {
        GgufValue v = required(key);
        if (!v.isInteger()) throw new GgufException("'" + key + "' must be an integer, got " + v.type());
        long n = v.asLong();
        if (n < 0 || n > Integer.MAX_VALUE) throw new GgufException("'" + key + "' out of range: " + n);
        return (int) n;
    }

    private GgufValue required(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) throw new GgufException("missing '" + key + "'");
        return v;
    }

    /** The entry of tensor {@code name}. @throws GgufException naming the file and tensor when it is absent */
    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) throw new GgufException(path + ": no tensor '" + Snippet.of(name) + "'");
        return t;
    }

    /**
     * Reads {@code dst.remaining()} bytes of tensor {@code t}'s data from byte {@code offset} of it
     * (several threads may read at once).
     */
    public void read(GgufTensorInfo t, long offset, ByteBuffer dst) {
        try {
            source.read(dataStart + t.offset() + offset, dst);
        } catch (IOException e) {
            throw new GgufException(path + ": tensor '" + t.name() + "': cannot read: " + e.getMessage(), e);
        }
    }

    /** @throws GgufException naming the file and tensor when it is absent or not F32, F16 or BF16 */
    public float[] floats(String name) {
        GgufTensorInfo t = tensor(name);
        GgmlType type = t.type().filter(y -> y.blockSize() == 1).orElseThrow(() -> new GgufException(path + ": tensor '" + name
                + "': unsupported type " + GgmlType.describe(t.typeId()) + " (F32, F16 and BF16 are read as floats)"));
        int n = Math.toIntExact(t.elementCount());
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(type.byteSize(n))).order(ByteOrder.LITTLE_ENDIAN);
        read(t, 0, b);
        b.flip();
        float[] out = new float[n];
        switch (type) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort());
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(b.getShort() << 16);
            }
            default -> throw new IllegalStateException(type.name());
        }
        return out;
    }

    @Override
    public void close() {
        source.close();
    }

    /** What the header says. */
    private record Header(int version, Map<String, GgufValue> metadata, Map<String, GgufTensorInfo> tensors,
                          int alignment, long dataStart) {}

    /** The prefix read ended inside the header while the file goes on: read a longer one. */
    private static final class NeedMore extends RuntimeException {
        NeedMore() { super(null, null, false, false); }
    }

    /** Reads the header and tables with bounds checks that name what was being read. */
    private static final class Parser {
        private final Path path;
        private final ByteBuffer b;
        private final long size;
        private String what = "header";
        private int depth;

        /** {@code b}: the file's first bytes (maybe all of them); {@code size}: the file's length. */
        Parser(Path path, ByteBuffer b, long size) {
            this.path = path;
            this.b = b;
            this.size = size;
        }

        /** Bytes of the file after the read position. */
        private long left() {
            return size - b.position();
        }

        Header parse() {
            try {
                if (left() < 4) throw fail("truncated file: " + left() + " bytes, no GGUF header");
                int magic = b.getInt();
                if (magic != MAGIC) throw fail("bad magic 0x" + Integer.toHexString(magic) + ", not a GGUF file");
                int version = b.getInt();
                if (version != 2 && version != 3)
                    throw fail("unsupported GGUF version " + version + " (2 and 3 are read)");
                long tensorCount = b.getLong();
                long kvCount = b.getLong();
                // every entry takes at least 8 bytes, which bounds the counts before allocating
                if (tensorCount < 0 || kvCount < 0 || tensorCount > left() / 8 || kvCount > left() / 8)
                    throw fail("truncated or corrupt header: " + tensorCount + " tensors and " + kvCount
                            + " metadata entries cannot fit in " + size + " bytes");
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
                        long bytes = t.type().get().byteSize(t.elementCount());
                        if (bytes < 0 || t.dims()[0] % t.type().get().blockSize() != 0)
                            throw fail("tensor '" + t.name() + "': rows of " + t.dims()[0] + " elements are not whole "
                                    + t.type().get() + " blocks of " + t.type().get().blockSize());
                        end = Math.addExact(Math.addExact(dataStart, t.offset()), bytes);
                    } catch (ArithmeticException e) {
                        throw fail("tensor '" + t.name() + "': size overflows");
                    }
                    if (end > size)
                        throw fail("truncated file: tensor '" + t.name() + "' ends at byte " + end + " but the file has " + size);
                }
                return new Header(version, Collections.unmodifiableMap(meta), Collections.unmodifiableMap(tensors), alignment, dataStart);
            } catch (BufferUnderflowException e) {
                if (b.limit() < size) throw new NeedMore();
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
            if (n < 0 || n > left() / min)
                throw fail("truncated file: " + what + " declares " + n + " array elements");
            if (n > b.remaining() / min) throw new NeedMore(); // the prefix read so far cannot hold them
            List<GgufValue> out = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) out.add(value(et));
            depth--;
            return Collections.unmodifiableList(out);
        }

        private String string() {
            long len = b.getLong();
            if (len < 0 || len > left())
                throw fail("truncated file: " + what + " declares a string of " + len + " bytes, "
                        + left() + " remain");
            if (len > b.remaining()) throw new NeedMore();
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
