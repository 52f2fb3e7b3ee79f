package dev.vane.steering.artifact;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The default file system seen through a provider that can fail as a real disk does: full (writes
 * past a byte budget fail with "No space left on device", and the file store reports little
 * usable space), read-only (every change fails with "Read-only file system") or broken (directory
 * listings fail with "Input/output error"). It also records which files and directories were
 * flushed with {@code force}. For tests of storage failures where a tiny tmpfs or a read-only
 * mount cannot be had (a test run as root ignores permissions).
 */
public final class FaultyFileSystem extends FileSystem {

    /** How the file system fails. */
    public enum Fault { NONE, FULL, READ_ONLY, BROKEN }

    private final FileSystem base = FileSystems.getDefault();
    private final Provider provider = new Provider();
    private volatile Fault fault = Fault.NONE;
    private final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
    private volatile long reportedUsable = -1;
    private final List<Path> forced = new CopyOnWriteArrayList<>();

    /** {@code real}, a path of the default file system, as a path of this one. */
    public Path wrap(Path real) {
        return new FPath(real.toAbsolutePath());
    }

    /** From now on, fail as {@code fault}; {@link Fault#FULL} allows {@code bytes} more bytes of data. */
    public FaultyFileSystem fail(Fault fault, long bytes) {
        this.fault = fault;
        budget.set(fault == Fault.FULL ? bytes : Long.MAX_VALUE);
        return this;
    }

    public FaultyFileSystem fail(Fault fault) {
        return fail(fault, 0);
    }

    /**
     * Has the file store report {@code bytes} usable whatever the budget, as a disk does whose
     * space other writers take between the check and the write.
     */
    public FaultyFileSystem reportUsable(long bytes) {
        this.reportedUsable = bytes;
        return this;
    }

    /** The real paths flushed with {@code force}, in order. */
    public List<Path> forced() {
        return List.copyOf(forced);
    }

    private static Path real(Path p) {
        return p instanceof FPath f ? f.real : p;
    }

    private FileSystemException failure(Path p, String reason) {
        return new FileSystemException(real(p).toString(), null, reason);
    }

    private void checkWritable(Path p) throws FileSystemException {
        if (fault == Fault.READ_ONLY) throw failure(p, "Read-only file system");
    }

    @Override public FileSystemProvider provider() { return provider; }
    @Override public void close() {}
    @Override public boolean isOpen() { return true; }
    @Override public boolean isReadOnly() { return fault == Fault.READ_ONLY; }
    @Override public String getSeparator() { return base.getSeparator(); }
    @Override public Iterable<Path> getRootDirectories() {
        return () -> java.util.stream.StreamSupport.stream(base.getRootDirectories().spliterator(), false)
                .map(p -> (Path) new FPath(p)).iterator();
    }
    @Override public Iterable<FileStore> getFileStores() { throw new UnsupportedOperationException(); }
    @Override public Set<String> supportedFileAttributeViews() { return base.supportedFileAttributeViews(); }
    @Override public Path getPath(String first, String... more) { return new FPath(base.getPath(first, more)); }
    @Override public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = base.getPathMatcher(syntaxAndPattern);
        return p -> m.matches(real(p));
    }
    @Override public UserPrincipalLookupService getUserPrincipalLookupService() { return base.getUserPrincipalLookupService(); }
    @Override public WatchService newWatchService() { throw new UnsupportedOperationException(); }

    /** A path of this file system: a real path underneath. */
    private final class FPath implements Path {
        final Path real;

        FPath(Path real) { this.real = real; }

        private Path wrapOrNull(Path p) { return p == null ? null : new FPath(p); }

        @Override public FileSystem getFileSystem() { return FaultyFileSystem.this; }
        @Override public boolean isAbsolute() { return real.isAbsolute(); }
        @Override public Path getRoot() { return wrapOrNull(real.getRoot()); }
        @Override public Path getFileName() { return wrapOrNull(real.getFileName()); }
        @Override public Path getParent() { return wrapOrNull(real.getParent()); }
        @Override public int getNameCount() { return real.getNameCount(); }
        @Override public Path getName(int index) { return new FPath(real.getName(index)); }
        @Override public Path subpath(int begin, int end) { return new FPath(real.subpath(begin, end)); }
        @Override public boolean startsWith(Path other) { return real.startsWith(real(other)); }
        @Override public boolean endsWith(Path other) { return real.endsWith(real(other)); }
        @Override public Path normalize() { return new FPath(real.normalize()); }
        @Override public Path resolve(Path other) { return new FPath(real.resolve(real(other))); }
        @Override public Path relativize(Path other) { return new FPath(real.relativize(real(other))); }
        @Override public URI toUri() { return real.toUri(); }
        @Override public Path toAbsolutePath() { return new FPath(real.toAbsolutePath()); }
        @Override public Path toRealPath(LinkOption... options) throws IOException { return new FPath(real.toRealPath(options)); }
        @Override public WatchKey register(WatchService w, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... m) {
            throw new UnsupportedOperationException();
        }
        @Override public int compareTo(Path other) { return real.compareTo(real(other)); }
        @Override public boolean equals(Object o) { return o instanceof FPath f && f.real.equals(real); }
        @Override public int hashCode() { return real.hashCode(); }
        @Override public String toString() { return real.toString(); }
    }

    private final class Provider extends FileSystemProvider {
        private final FileSystemProvider under = base.provider();

        @Override public String getScheme() { return "faulty"; }
        @Override public FileSystem newFileSystem(URI uri, Map<String, ?> env) { throw new UnsupportedOperationException(); }
        @Override public FileSystem getFileSystem(URI uri) { throw new UnsupportedOperationException(); }
        @Override public Path getPath(URI uri) { throw new UnsupportedOperationException(); }

        private boolean writes(Set<? extends OpenOption> options) {
            return options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            if (writes(options)) checkWritable(path);
            return new Channel(path, under.newFileChannel(real(path), options, attrs), writes(options));
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
            if (fault == Fault.BROKEN) throw failure(dir, "Input/output error");
            DirectoryStream<Path> ds = under.newDirectoryStream(real(dir), p -> filter.accept(new FPath(p)));
            return new DirectoryStream<>() {
                @Override public Iterator<Path> iterator() {
                    Iterator<Path> it = ds.iterator();
                    return new Iterator<>() {
                        @Override public boolean hasNext() { return it.hasNext(); }
                        @Override public Path next() { return new FPath(it.next()); }
                    };
                }
                @Override public void close() throws IOException { ds.close(); }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            if (Files.exists(real(dir))) throw new FileAlreadyExistsException(real(dir).toString());
            checkWritable(dir);
            under.createDirectory(real(dir), attrs);
        }

        @Override
        public void delete(Path path) throws IOException {
            checkWritable(path);
            under.delete(real(path));
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            checkWritable(target);
            under.copy(real(source), real(target), options);
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            checkWritable(target);
            under.move(real(source), real(target), options);
        }

        @Override public boolean isSameFile(Path a, Path b) throws IOException { return under.isSameFile(real(a), real(b)); }
        @Override public boolean isHidden(Path path) throws IOException { return under.isHidden(real(path)); }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            FileStore store = under.getFileStore(real(path));
            return new FileStore() {
                @Override public String name() { return store.name(); }
                @Override public String type() { return store.type(); }
                @Override public boolean isReadOnly() { return fault == Fault.READ_ONLY; }
                @Override public long getTotalSpace() throws IOException { return store.getTotalSpace(); }
                @Override public long getUsableSpace() throws IOException {
                    if (reportedUsable >= 0) return reportedUsable;
                    return fault == Fault.FULL ? budget.get() : store.getUsableSpace();
                }
                @Override public long getUnallocatedSpace() throws IOException {
                    return fault == Fault.FULL ? budget.get() : store.getUnallocatedSpace();
                }
                @Override public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
                    return store.supportsFileAttributeView(type);
                }
                @Override public boolean supportsFileAttributeView(String name) { return store.supportsFileAttributeView(name); }
                @Override public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
                    return store.getFileStoreAttributeView(type);
                }
                @Override public Object getAttribute(String attribute) throws IOException { return store.getAttribute(attribute); }
            };
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            for (AccessMode m : modes) if (m == AccessMode.WRITE) checkWritable(path);
            under.checkAccess(real(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return under.getFileAttributeView(real(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            return under.readAttributes(real(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
            return under.readAttributes(real(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
            checkWritable(path);
            under.setAttribute(real(path), attribute, value, options);
        }
    }

    /** A real channel whose writes draw on the budget and whose {@code force} is recorded. */
    private final class Channel extends FileChannel {
        private final Path path;
        private final FileChannel ch;
        private final boolean writable;

        Channel(Path path, FileChannel ch, boolean writable) {
            this.path = path;
            this.ch = ch;
            this.writable = writable;
        }

        private void take(long bytes) throws IOException {
            if (!writable) return;
            if (budget.addAndGet(-bytes) < 0) {
                budget.set(0);
                throw failure(path, "No space left on device");
            }
        }

        @Override public int read(ByteBuffer dst) throws IOException { return ch.read(dst); }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return ch.read(dsts, offset, length); }
        @Override public int write(ByteBuffer src) throws IOException {
            take(src.remaining());
            return ch.write(src);
        }
        @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) n += srcs[i].remaining();
            take(n);
            return ch.write(srcs, offset, length);
        }
        @Override public long position() throws IOException { return ch.position(); }
        @Override public FileChannel position(long p) throws IOException { ch.position(p); return this; }
        @Override public long size() throws IOException { return ch.size(); }
        @Override public FileChannel truncate(long size) throws IOException { ch.truncate(size); return this; }
        @Override public void force(boolean metaData) throws IOException {
            ch.force(metaData);
            forced.add(real(path));
        }
        @Override public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ch.transferTo(position, count, target);
        }
        @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            take(count);
            return ch.transferFrom(src, position, count);
        }
        @Override public int read(ByteBuffer dst, long position) throws IOException { return ch.read(dst, position); }
        @Override public int write(ByteBuffer src, long position) throws IOException {
            take(src.remaining());
            return ch.write(src, position);
        }
        @Override public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return ch.map(mode, position, size);
        }
        @Override public FileLock lock(long position, long size, boolean shared) throws IOException {
            return ch.lock(position, size, shared);
        }
        @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return ch.tryLock(position, size, shared);
        }
        @Override protected void implCloseChannel() throws IOException { ch.close(); }
    }
}
