package dev.vane.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.text.Snippet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}}), then the raw bytes. Tensors are mapped one at a
 * time on demand, so reading a checkpoint never holds a second copy of the file on the heap.
 * Every validation error names the file and the tensor.
 */
public final class SafetensorsFile implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path + ": file not found");
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) throw new CheckpointException(path + ": truncated file (" + size + " bytes, no header)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size)
                throw new CheckpointException(path + ": corrupt or truncated header (declared length " + headerLen
                        + ", file size " + size + ")");
            ByteBuffer hdr = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hdr, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(hdr.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                // the original message, without Jackson's excerpt of the (possibly uploaded) header
                throw new CheckpointException(path + ": malformed safetensors header JSON: "
                        + Snippet.of(e.getOriginalMessage(), 120));
            }
            if (root == null || !root.isObject()) throw new CheckpointException(path + ": header is not a JSON object");
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(e.getKey(), tensorInfo(path, e.getKey(), e.getValue(), dataSize));
            }
            return new SafetensorsFile(path, ch, dataStart, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(meta));
        } catch (IOException e) {
            throw new CheckpointException(path + ": read error: " + e.getMessage(), e);
        }
    }

    private static TensorInfo tensorInfo(Path path, String name, JsonNode n, long dataSize) {
        String where = path + ": tensor '" + Snippet.of(name) + "'";
        String tag = n.path("dtype").asText("");
        FileDType dtype = FileDType.fromTag(tag).orElseThrow(() -> new CheckpointException(
                where + ": unsupported dtype '" + Snippet.of(tag) + "' (F32, F16, BF16)"));
        JsonNode shapeNode = n.path("shape");
        JsonNode offs = n.path("data_offsets");
        if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2)
            throw new CheckpointException(where + ": header entry lacks shape or data_offsets");
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) throw new CheckpointException(where + ": negative dimension in shape " + shapeNode);
            count = Math.multiplyExact(count, shape[i]);
        }
        long begin = offs.get(0).asLong(-1), end = offs.get(1).asLong(-1);
        if (begin < 0 || end < begin)
            throw new CheckpointException(where + ": invalid data_offsets " + offs);
        if (end > dataSize)
            throw new CheckpointException(where + ": truncated file: tensor ends at byte " + end
                    + " of the data section but the file holds only " + dataSize);
        if (end - begin != count * dtype.bytes())
            throw new CheckpointException(where + ": byte length " + (end - begin) + " does not match shape "
                    + shapeNode + " of " + tag);
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new IOException("unexpected end of file");
        }
    }

    public Path path() { return path; }
    public Map<String, TensorInfo> tensors() { return tensors; }
    public Map<String, String> metadata() { return metadata; }

    /** Maps one tensor's bytes read-only, little-endian. */
    public ByteBuffer map(TensorInfo t) {
        try {
            MappedByteBuffer b = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength());
            return b.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path + ": tensor '" + t.name() + "': cannot map: " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code dst.remaining()} bytes of tensor {@code t}, from byte {@code at} of its data, into
     * {@code dst}. A positional read: safe from several threads at once, and the file's pages stay
     * in the page cache rather than in the process.
     */
    public void read(TensorInfo t, long at, ByteBuffer dst) {
        if (at < 0 || at + dst.remaining() > t.byteLength())
            throw new IndexOutOfBoundsException("bytes " + at + " + " + dst.remaining() + " of a " + t.byteLength() + "-byte tensor");
        try {
            readFully(channel, dst, dataStart + t.begin() + at - dst.position());
        } catch (IOException e) {
            throw new CheckpointException(path + ": tensor '" + t.name() + "': read error: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing a read-only channel cannot lose data
        }
    }
}
