package dev.vane.engine.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams tensors into a safetensors file. Declare every tensor first (the header needs all
 * offsets), then {@link #write} them in the same order; values are produced on demand so a
 * large checkpoint never sits whole in memory. The file appears atomically on {@link #close}.
 */
public final class SafetensorsWriter implements AutoCloseable {

    /** Fills {@code out} with {@code count} float values for one tensor. */
    @FunctionalInterface
    public interface Source {
        void fill(float[] out, int offset, int count, long index);
    }

    private record Entry(String name, FileDType dtype, long[] shape, long begin, long end) {}

    private final Path target;
    private final Path temp;
    private final Map<String, Entry> declared = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<String> order = new ArrayList<>();
    private FileChannel channel;
    private long offset;
    private int next;

    public SafetensorsWriter(Path target) {
        this.target = target;
        this.temp = target.resolveSibling(target.getFileName() + ".tmp");
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter declare(String name, FileDType dtype, long... shape) {
        if (channel != null) throw new IllegalStateException("declare every tensor before writing");
        long n = 1;
        for (long d : shape) n *= d;
        long len = n * dtype.bytes();
        declared.put(name, new Entry(name, dtype, shape.clone(), offset, offset + len));
        order.add(name);
        offset += len;
        return this;
    }

    /** Writes the next declared tensor, which must be {@code name}. */
    public void write(String name, Source source) throws IOException {
        if (channel == null) start();
        if (next >= order.size() || !order.get(next).equals(name))
            throw new IllegalStateException("tensors must be written in declaration order; expected "
                    + (next < order.size() ? order.get(next) : "none") + ", got " + name);
        Entry e = declared.get(name);
        long count = (e.end - e.begin) / e.dtype.bytes();
        int chunk = 1 << 16;
        float[] values = new float[chunk];
        ByteBuffer buf = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < count; done += chunk) {
            int n = (int) Math.min(chunk, count - done);
            source.fill(values, 0, n, done);
            buf.clear();
            for (int i = 0; i < n; i++) {
                switch (e.dtype) {
                    case F32 -> buf.putFloat(values[i]);
                    case F16 -> buf.putShort(Float.floatToFloat16(values[i]));
                    case BF16 -> buf.putShort(DTypes.floatToBf16(values[i]));
                }
            }
            buf.flip();
            while (buf.hasRemaining()) channel.write(buf);
        }
        next++;
    }

    /** Writes a tensor whose values are all in memory. */
    public void write(String name, float[] values) throws IOException {
        write(name, (out, off, count, index) -> System.arraycopy(values, (int) index, out, off, count));
    }

    private void start() throws IOException {
        ObjectNode header = new ObjectMapper().createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        for (Entry e : declared.values()) {
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.tag());
            var s = t.putArray("shape");
            for (long d : e.shape) s.add(d);
            var o = t.putArray("data_offsets");
            o.add(e.begin);
            o.add(e.end);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep the data section 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        Files.createDirectories(target.toAbsolutePath().getParent());
        channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        while (head.hasRemaining()) channel.write(head);
    }

    @Override
    public void close() throws IOException {
        if (channel == null) start();
        channel.close();
        if (next != order.size())
            throw new IllegalStateException("only " + next + " of " + order.size() + " declared tensors written");
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
