package dev.vane.engine.model;

import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.kernel.KernelPool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The Java decoder's packed matrices saved beside a checkpoint, so that a later start maps them
 * instead of converting and packing the checkpoint again.
 *
 * <p>The file ({@code .vane/packed-f16.bin} in the model directory) holds a fingerprint of the
 * checkpoint it was made from (each weight file's name, size, modification time and the CRC-32C of
 * its header, plus the packed layout's block width) and then one entry per matrix: its name, shape,
 * lift, the CRC-32C of each 4 MiB chunk of its halves and the halves (little-endian, 64-byte
 * aligned), and a CRC-32C of that header. A start maps the file read-only and uses each matrix's
 * halves where they lie, once the kernel threads have checked every chunk (whole matrices per
 * task, largest first): no copy of the weights is made, the process shares the file's pages with
 * the page cache, and the heap holds no weights (copying them into new heap arrays spent most of
 * a start faulting in and clearing fresh pages). A file whose
 * fingerprint differs is stale: the model is packed from the checkpoint and the file rewritten.
 * An entry whose halves fail their checksum is packed afresh too. The file is written after the
 * load, on a thread of its own, to {@code packed-f16.bin.tmp} while holding a lock on
 * {@code packed-f16.bin.lock} (a second process saving at the same time skips), forced to disk and
 * renamed, so a crash never leaves a partial
 * file under the real name, and a killed writer's leftover is overwritten by the next save.
 *
 * <p>Not thread-safe: one load uses it at a time.
 */
final class PackedCache implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PackedCache.class.getName());
    private static final byte[] MAGIC = "VANE-PACKED-F16/2\n".getBytes(StandardCharsets.US_ASCII);
    private static final int ALIGN = 64;
    /** Halves per checksummed chunk: the unit that the pool's threads read in parallel. */
    private static final int CHUNK_HALVES = 1 << 21;

    /** Where an entry's halves lie in the file, and the CRC-32C of each chunk of them. */
    private record Entry(int out, int in, int lift, long offset, long halves, int[] crcs) {}

    private final Path file;
    private final String fingerprint;
    private final Optional<FileChannel> current;   // the file, when it is current
    private final Map<String, Entry> entries;      // of the current file
    private final Map<String, F16Gemv.Packed> packed = new LinkedHashMap<>(); // this load's, to write
    private boolean missed;
    private int fresh;                             // matrices this load packed
    private Map<String, MemorySegment> read;        // the intact matrices of the current file, mapped at the first find

    private PackedCache(Path file, String fingerprint, Optional<FileChannel> current, Map<String, Entry> entries) {
        this.file = file;
        this.fingerprint = fingerprint;
        this.current = current;
        this.entries = entries;
    }

    /** The cache of the checkpoint in {@code dir} whose weight files are {@code weightFiles}; empty when {@code mode} is {@link WeightCache#OFF}. */
    static Optional<PackedCache> open(Path dir, Iterable<Path> weightFiles, WeightCache mode) {
        if (mode == WeightCache.OFF) return Optional.empty();
        Path file = dir.resolve(".vane").resolve("packed-f16.bin");
        String fingerprint = fingerprint(weightFiles);
        if (Files.isRegularFile(file)) {
            FileChannel ch = null;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
                Optional<Map<String, Entry>> index = index(ch, fingerprint);
                if (index.isPresent()) return Optional.of(new PackedCache(file, fingerprint, Optional.of(ch), index.get()));
                LOG.log(System.Logger.Level.INFO, "packed weights in " + file + " are stale or damaged: packing the checkpoint again");
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read packed weights " + file + " (" + e.getMessage() + "): packing the checkpoint");
            }
            closeQuietly(ch);
        }
        return Optional.of(new PackedCache(file, fingerprint, Optional.empty(), Map.of()));
    }

    /**
     * The matrix {@code name} of shape {@code [out, in]} as saved, when the file holds it intact;
     * its chunks are read and checked on {@code pool}'s threads.
     */
    Optional<F16Gemv.Packed> find(String name, int out, int in, KernelPool pool) {
        if (read == null) read = current.map(ch -> readAll(ch, pool)).orElseGet(HashMap::new);
        Entry e = entries.get(name);
        Optional<MemorySegment> halves = e == null || e.out() != out || e.in() != in || e.halves() != F16Gemv.halves(out, in) ? Optional.empty()
                : Optional.ofNullable(read.remove(name));
        if (halves.isEmpty()) {
            missed = true;
            return Optional.empty();
        }
        F16Gemv.Packed p = new F16Gemv.Packed(halves.get(), out, in, e.lift());
        packed.put(name, p); // kept for a rewrite should another entry be missing
        return Optional.of(p);
    }

    /**
     * The halves of every entry whose chunks all pass their checksum: slices of one read-only
     * mapping of the file, checked by {@code pool}'s threads a whole matrix per task, largest
     * first (checking touches every page, so the first products find them mapped).
     */
    private Map<String, MemorySegment> readAll(FileChannel ch, KernelPool pool) {
        MemorySegment file;
        try {
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto()); // unmapped once no slice is reachable
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot map packed weights " + this.file + " (" + e.getMessage() + "): packing the checkpoint");
            return new HashMap<>();
        }
        List<String> names = new ArrayList<>(entries.keySet());
        names.sort(Comparator.comparingLong((String n) -> entries.get(n).halves()).reversed());
        Map<String, MemorySegment> out = new ConcurrentHashMap<>();
        pool.run(names.size(), k -> {
            String name = names.get(k);
            Entry e = entries.get(name);
            MemorySegment halves = file.asSlice(e.offset(), 2 * e.halves());
            for (int c = 0; c < e.crcs().length; c++) {
                long from = (long) c * CHUNK_HALVES, n = Math.min(CHUNK_HALVES, e.halves() - from);
                CRC32C crc = new CRC32C();
                crc.update(halves.asSlice(2 * from, 2 * n).asByteBuffer());
                if ((int) crc.getValue() != e.crcs()[c]) {
                    LOG.log(System.Logger.Level.WARNING, "packed weights of " + name + " in " + this.file + " fail their checksum: packing them again");
                    return;
                }
            }
            out.put(name, halves);
        });
        return out;
    }

    /** How this load used the file, for the log. */
    String summary() {
        int read = packed.size() - fresh;
        return read + " matrices from " + file + ", " + fresh + " packed";
    }

    /** Records a matrix packed by this load, for {@link #save}. */
    void put(String name, F16Gemv.Packed p) {
        packed.put(name, p);
        fresh++;
    }

    /**
     * Writes every matrix of this load, when some were not found intact, on a thread of its own
     * (the model serves meanwhile; a process that exits first leaves only a temporary file). A
     * directory that cannot be written is reported in the log and skipped.
     *
     * @return completes when the file is written, or when writing failed or was not needed
     */
    CompletableFuture<Void> saveInBackground() {
        if (!missed && !entries.isEmpty()) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("vane-packed-weights-write").start(() -> {
            try {
                save();
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    private void save() {
        long t0 = System.nanoTime();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp"); // one name: a killed writer's leftover is reused
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock"); // never renamed, so one lock for every saver
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockChannel.tryLock()) {
                if (lock == null) {
                    LOG.log(System.Logger.Level.INFO, "another process is saving packed weights to " + file + ": not saving them twice");
                    return;
                }
                try {
                    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE)) {
                        write(ch);
                        ch.force(true);
                    }
                    try {
                        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(tmp);
                    throw e;
                }
            }
            LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "packed weights saved to %s in %.1f s", file,
                    (System.nanoTime() - t0) / 1e9));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot save packed weights to " + file + " (" + e.getMessage()
                    + "): the next start packs the checkpoint again");
        }
    }

    private void write(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC);
        putString(head, fingerprint);
        head.putInt(packed.size());
        ch.write(head.flip());
        for (Map.Entry<String, F16Gemv.Packed> e : packed.entrySet()) {
            F16Gemv.Packed p = e.getValue();
            long halves = p.bytes() / 2;
            int[] crcs = new int[Math.toIntExact((halves + CHUNK_HALVES - 1) / CHUNK_HALVES)];
            long start = ch.position();
            long data = (start + entryHead(head, e.getKey(), p, crcs, 0).remaining() + ALIGN - 1) / ALIGN * ALIGN;
            ch.position(data);
            for (int c = 0; c < crcs.length; c++) { // one chunk per buffer
                long from = (long) c * CHUNK_HALVES, n = Math.min(CHUNK_HALVES, halves - from);
                ByteBuffer buf = p.halves().asSlice(2 * from, 2 * n).asByteBuffer(); // little-endian bytes, as the file holds them
                CRC32C crc = new CRC32C();
                crc.update(buf.duplicate());
                crcs[c] = (int) crc.getValue();
                while (buf.hasRemaining()) ch.write(buf);
            }
            long end = ch.position();
            ByteBuffer header = entryHead(head, e.getKey(), p, crcs, data); // now with the checksums
            while (header.hasRemaining()) ch.write(header, start + header.position());
            ch.position(end);
        }
    }

    /**
     * An entry's header, ready to write: name, out, in, lift, halves, chunk count, the chunks'
     * CRC-32C, the data offset, and the CRC-32C of all of these (so that a damaged shape, lift or
     * offset is caught as a damaged chunk is).
     */
    private static ByteBuffer entryHead(ByteBuffer head, String name, F16Gemv.Packed p, int[] crcs, long data) {
        head.clear();
        putString(head, name);
        head.putInt(p.out()).putInt(p.in()).putInt(p.lift()).putLong(p.bytes() / 2).putInt(crcs.length);
        for (int c : crcs) head.putInt(c);
        head.putLong(data);
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, head.position());
        return head.putInt((int) crc.getValue()).flip();
    }

    /** The entries of a file, or empty when it is not a current, whole cache. */
    private static Optional<Map<String, Entry>> index(FileChannel ch, String fingerprint) throws IOException {
        long size = ch.size();
        try {
            ByteBuffer b = head(ch, 0, size);
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || !getString(b).equals(fingerprint)) return Optional.empty();
            int n = b.getInt();
            long pos = b.position();
            Map<String, Entry> entries = new HashMap<>();
            for (int k = 0; k < n; k++) {
                ByteBuffer e = head(ch, pos, size);
                String name = getString(e);
                int out = e.getInt(), in = e.getInt(), lift = e.getInt();
                long halves = e.getLong();
                int chunks = e.getInt();
                if (halves < 0 || chunks != (halves + CHUNK_HALVES - 1) / CHUNK_HALVES) return Optional.empty();
                int[] crcs = new int[chunks];
                for (int c = 0; c < chunks; c++) crcs[c] = e.getInt();
                long data = e.getLong();
                CRC32C headCrc = new CRC32C();
                headCrc.update(e.array(), 0, e.position());
                if (e.getInt() != (int) headCrc.getValue() || data < pos || data + 2 * halves > size) return Optional.empty();
                entries.put(name, new Entry(out, in, lift, data, halves, crcs));
                pos = data + 2 * halves;
            }
            return Optional.of(entries);
        } catch (RuntimeException e) { // a truncated or garbled index
            return Optional.empty();
        }
    }

    /** Up to 64 KiB of the file from {@code pos}: room for any entry's header. */
    private static ByteBuffer head(FileChannel ch, long pos, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.max(0, Math.min(size - pos, 1 << 16))).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining())
            if (ch.read(b, pos + b.position()) < 0) break;
        return b.flip();
    }

    private static String fingerprint(Iterable<Path> weightFiles) {
        StringBuilder s = new StringBuilder("block=" + F16Gemv.BLOCK);
        for (Path f : weightFiles) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(len, 0);
                long headerLength = Math.min(len.flip().getLong(), 100L << 20);
                ByteBuffer header = ByteBuffer.allocate((int) Math.max(0, Math.min(headerLength, ch.size() - 8)));
                ch.read(header, 8);
                CRC32C crc = new CRC32C();
                crc.update(header.flip());
                s.append(';').append(f.getFileName()).append(':').append(ch.size()).append(':')
                        .append(Files.getLastModifiedTime(f).toMillis()).append(':').append(Long.toHexString(crc.getValue()));
            } catch (IOException e) {
                s.append(';').append(f.getFileName()).append(":unreadable");
            }
        }
        return s.toString();
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("bad string length " + n);
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Closes the file. */
    @Override
    public void close() {
        read = new HashMap<>();
        current.ifPresent(PackedCache::closeQuietly);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
    }
}
