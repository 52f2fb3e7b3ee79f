package dev.vane.engine.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows of a 2-d tensor in a file, read a block of rows (about 64 KiB) at a time by positional
 * reads into a buffer of the reading thread's: packing reads rows in order from several threads,
 * so most rows come from a block already read. The buffers go with this object.
 */
final class RowBlocks {

    /** Reads {@code dst.remaining()} bytes of the tensor from byte {@code offset} of it. */
    @FunctionalInterface
    interface Reader {
        void read(long offset, ByteBuffer dst);
    }

    private static final int BLOCK_BYTES = 1 << 16;

    private final Reader reader;
    private final int rows, rowBytes, blockRows;
    private final Map<Thread, Block> blocks = new ConcurrentHashMap<>();

    /** The rows {@code [first, first + count)} as last read by one thread. */
    private static final class Block {
        final ByteBuffer bytes;
        int first = -1, count;

        Block(int capacity) { bytes = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN); }
    }

    RowBlocks(Reader reader, int rows, int rowBytes) {
        if (rowBytes <= 0) throw new IllegalArgumentException("rows of " + rowBytes + " bytes");
        this.reader = reader;
        this.rows = rows;
        this.rowBytes = rowBytes;
        this.blockRows = Math.max(1, BLOCK_BYTES / Math.max(1, rowBytes));
    }

    /**
     * The calling thread's buffer holding row {@code r} at byte {@link #at} {@code (r)}; valid until
     * this thread's next call.
     */
    ByteBuffer row(int r) {
        Objects.checkIndex(r, rows);
        Block b = blocks.computeIfAbsent(Thread.currentThread(), t -> new Block(blockRows * rowBytes));
        if (r < b.first || r >= b.first + b.count) {
            b.first = -1; // until the read succeeds: a failed read leaves nothing to reuse
            int count = Math.min(blockRows, rows - r);
            b.bytes.clear().limit(count * rowBytes);
            reader.read((long) r * rowBytes, b.bytes);
            b.bytes.flip();
            b.first = r;
            b.count = count;
        }
        return b.bytes;
    }

    /** Where row {@code r} starts in the buffer {@link #row} returned for it. */
    int at(int r) {
        return (r - blocks.get(Thread.currentThread()).first) * rowBytes;
    }
}
