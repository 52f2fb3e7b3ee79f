package dev.vane.steering.artifact;

import dev.vane.engine.text.Snippet;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vane.steering.artifact.DurableFiles.deleteQuietly;
import static dev.vane.steering.artifact.DurableFiles.deleteTree;
import static dev.vane.steering.artifact.DurableFiles.move;
import static dev.vane.steering.artifact.DurableFiles.sync;
import static dev.vane.steering.artifact.DurableFiles.syncDirectory;

/**
 * The directory of named artifacts the server may load (design.md §4): requests and admin calls
 * refer to artifacts by name, never by path, so a name is checked against a strict pattern before
 * it touches the file system, which rules out path traversal ({@code ..}, separators, hidden
 * files). Each artifact is a subdirectory {@code <root>/<name>/}.
 *
 * <p>Writes are atomic for readers and durable: an artifact is written into a hidden directory
 * {@code .tmp-<name>-<id>} of the registry (same file system), its files and the directory are
 * synced, and it is moved to its name in one rename, so a concurrent {@link #load} sees the old
 * artifact, or the new one, or none, never half of one. A replace moves the old artifact out to
 * {@code .old-<name>-<id>} (the same id) only once the new one is complete, then moves the new
 * one in; a crash between the two renames leaves both hidden, and {@link #recover} finishes the
 * replace. A delete moves the artifact to {@code .del-<name>-<id>} before removing it. Uploads
 * are staged in {@code .upload-<id>} ({@link #stage}). Hidden names start with {@code .}, which
 * no valid name does, so {@link #names} never lists them.
 *
 * <p>File-system failures are {@link StorageException}s (disk full, read-only, other I/O);
 * artifacts that cannot be read as artifacts are {@link ArtifactException}s. Messages name files
 * relative to the registry ({@code sentiment/manifest.json}), never by absolute path.
 */
public final class ArtifactRegistry {

    /** Lower-case letters, digits, {@code . _ -}; starts with a letter or digit; at most 64 chars. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Default cap on the bytes of one artifact read or written (uploads, imports). */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    private static final String TEMP = ".tmp-", OLD = ".old-", DELETED = ".del-", UPLOAD = ".upload-";
    /** {@code .tmp-<name>-<uuid>} and {@code .old-<name>-<uuid>}: the parts of an interrupted replace. */
    private static final Pattern HIDDEN = Pattern.compile("\\.(tmp|old)-(" + NAME.pattern()
            + ")-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

    /** Whether {@link #save} may overwrite an artifact of the same name. */
    public enum SaveMode { CREATE, REPLACE }

    /** A stored artifact that {@link #list} could not read, and why. */
    public record Problem(String name, String message) {}

    /** The manifests that could be read, by name, and the artifacts that could not. */
    public record Listing(List<Manifest> manifests, List<Problem> problems) {
        public Listing {
            manifests = List.copyOf(manifests);
            problems = List.copyOf(problems);
        }
    }

    /**
     * What {@link #recover} did.
     *
     * @param completed artifacts whose interrupted replace was finished
     * @param removed   hidden leftovers deleted (temporary, old, deleted and upload folders)
     */
    public record Recovery(List<String> completed, List<String> removed) {
        public Recovery {
            completed = List.copyOf(completed);
            removed = List.copyOf(removed);
        }
    }

    /** A private folder inside the registry for one upload's files; closing deletes it. */
    public record Staging(Path dir) implements AutoCloseable {
        /** A message with this folder's path taken out, so that it names the uploaded files only. */
        public String relative(String message) {
            return message == null ? null : message.replace(dir + dir.getFileSystem().getSeparator(), "")
                    .replace(dir.toString(), "upload");
        }

        @Override
        public void close() {
            try {
                deleteTree(dir);
            } catch (IOException ignored) {
                // a leftover upload folder is hidden and removed by the next recover()
            }
        }
    }

    private final Path root;
    private final long maxBytes;

    public ArtifactRegistry(Path root) {
        this(root, DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes the most bytes one artifact may take on disk */
    public ArtifactRegistry(Path root, long maxBytes) {
        if (maxBytes <= 0) throw new IllegalArgumentException("maxBytes must be > 0");
        this.root = root.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
    }

    public Path root() { return root; }
    public long maxBytes() { return maxBytes; }

    /**
     * @throws ArtifactException naming {@code name} when it does not match {@link #NAME}
     */
    public static String validateName(String name) {
        if (name == null || !NAME.matcher(name).matches())
            throw new ArtifactException("name: invalid artifact name '" + Snippet.of(name) + "' (1-64 characters of a-z, "
                    + "0-9, '.', '_', '-', starting with a letter or digit)");
        return name;
    }

    /** Names of the stored artifacts, sorted. */
    public List<String> names() {
        if (!Files.isDirectory(root)) return List.of();
        List<String> out = new ArrayList<>();
        for (Path p : entries()) {
            String n = p.getFileName().toString();
            if (NAME.matcher(n).matches() && Files.isRegularFile(p.resolve(Artifact.MANIFEST))) out.add(n);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /**
     * The manifests of every stored artifact, by name. An artifact whose manifest cannot be read
     * is left out and reported as a {@link Problem}, so one corrupt file does not hide the rest.
     */
    public Listing list() {
        List<Manifest> out = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (String n : names()) {
            try {
                out.add(manifest(n));
            } catch (ArtifactException e) {
                problems.add(new Problem(n, e.getMessage()));
            }
        }
        return new Listing(out, problems);
    }

    public boolean exists(String name) {
        return Files.isRegularFile(dir(name).resolve(Artifact.MANIFEST));
    }

    /** Reads only an artifact's manifest (listing, admin views). */
    public Manifest manifest(String name) {
        Path mf = existing(name).resolve(Artifact.MANIFEST);
        String shown = name + "/" + Artifact.MANIFEST;
        try {
            if (Files.size(mf) > maxBytes) throw new ArtifactException(shown + ": manifest larger than " + maxBytes + " bytes");
            Manifest m = Manifest.parse(Files.readString(mf), shown);
            checkStoredName(name, m);
            return m;
        } catch (IOException e) {
            throw new ArtifactException(shown + ": cannot read: " + reason(e), e);
        }
    }

    /**
     * Loads an artifact and checks that it fits the model.
     *
     * @throws ArtifactException when the name is invalid or unknown, a file is corrupt or too
     *         large, or the fingerprint differs from {@code model}'s
     */
    public Artifact load(String name, ModelFingerprint model) {
        Artifact a;
        try {
            a = Artifact.read(existing(name), maxBytes);
        } catch (ArtifactException e) {
            throw new ArtifactException(relative(e.getMessage()), e);
        }
        checkStoredName(name, a.manifest());
        a.manifest().checkModel(model);
        return a;
    }

    /** Stores an artifact under its manifest's name; fails if the name is taken. */
    public Path save(Artifact artifact) {
        return save(artifact, SaveMode.CREATE);
    }

    /**
     * Stores an artifact under its manifest's name, atomically and durably (see the class comment).
     * On failure nothing is left: the registry holds what it held before.
     *
     * @return the artifact's directory
     * @throws ArtifactException when the artifact exceeds the size limit, or the name is taken
     *         and {@code mode} is {@link SaveMode#CREATE}
     * @throws StorageException when the disk is full (also when the free space is known to be too
     *         small beforehand), the registry is read-only, or another I/O error occurs
     */
    public Path save(Artifact artifact, SaveMode mode) {
        String name = validateName(artifact.name());
        long size = artifact.byteSize();
        if (size > maxBytes)
            throw new ArtifactException("artifact '" + name + "' holds about " + size
                    + " bytes, more than the registry limit of " + maxBytes);
        Path target = dir(name);
        if (mode == SaveMode.CREATE && Files.exists(target))
            throw new ArtifactException("artifact '" + name + "' already exists");
        String id = UUID.randomUUID().toString();
        Path temp = root.resolve(TEMP + name + "-" + id);
        String action = "saving artifact '" + name + "'";
        try {
            Files.createDirectories(root);
            checkSpace(size, action);
            artifact.write(temp);
            sync(temp);
            if (mode == SaveMode.REPLACE && Files.exists(target)) {
                // The new artifact is complete and synced before the old one leaves, under the same
                // id, so that recover() can finish a replace that a crash cut between the renames.
                Path old = root.resolve(OLD + name + "-" + id);
                move(target, old);
                move(temp, target);
                syncDirectory(root);
                deleteTree(old);
            } else {
                move(temp, target);
                syncDirectory(root);
            }
            return target;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // another save took the name between the check and the rename
            throw new ArtifactException("artifact '" + name + "' already exists");
        } catch (IOException e) {
            throw StorageException.of(action, root, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Removes an artifact: it is renamed out of sight first, then deleted.
     *
     * @return whether it existed
     * @throws StorageException when the registry cannot be changed
     */
    public boolean delete(String name) {
        Path target = dir(name);
        if (!Files.exists(target)) return false;
        Path gone = root.resolve(DELETED + name + "-" + UUID.randomUUID());
        try {
            move(target, gone);
            syncDirectory(root);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw StorageException.of("deleting artifact '" + name + "'", root, e);
        }
        deleteQuietly(gone);
        return true;
    }

    /**
     * A private folder for an upload's files, inside the registry so that it is on the same disk,
     * hidden from {@link #names}, and removed by {@link #recover} if a crash leaves it.
     *
     * @throws StorageException when the registry cannot be written
     */
    public Staging stage() {
        Path dir = root.resolve(UPLOAD + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw StorageException.of("staging an upload", root, e);
        }
        return new Staging(dir);
    }

    /**
     * Repairs what a crash may have left, before anything else uses the registry (a server calls
     * it at start): finishes a replace cut between its two renames (the new artifact, complete and
     * synced, takes the name), and removes hidden temporary, old, deleted and upload folders.
     * Another process writing the same registry at the same time would lose its write.
     *
     * @throws StorageException when the registry cannot be listed or changed
     */
    public Recovery recover() {
        if (!Files.isDirectory(root)) return new Recovery(List.of(), List.of());
        List<String> completed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        try {
            for (Path p : entries()) {
                Matcher m = HIDDEN.matcher(p.getFileName().toString());
                if (!m.matches() || !m.group(1).equals("old")) continue;
                Path target = dir(m.group(2));
                Path replacement = root.resolve(TEMP + m.group(2) + "-" + m.group(3));
                if (!Files.exists(target)) {
                    // the first rename happened, so the new artifact was complete: move it in;
                    // without it (not a state save() leaves) keep the old one rather than none
                    move(Files.isDirectory(replacement) ? replacement : p, target);
                    syncDirectory(root);
                    completed.add(m.group(2));
                }
            }
            for (Path p : entries()) {
                String n = p.getFileName().toString();
                if (n.startsWith(TEMP) || n.startsWith(OLD) || n.startsWith(DELETED) || n.startsWith(UPLOAD)) {
                    deleteTree(p);
                    removed.add(n);
                }
            }
        } catch (IOException e) {
            throw StorageException.of("recovering the artifact registry", root, e);
        }
        removed.sort(Comparator.naturalOrder());
        return new Recovery(completed, removed);
    }

    /** A message with the registry's path taken out: files are named relative to it. */
    String relative(String message) {
        return message == null ? null : message.replace(root + root.getFileSystem().getSeparator(), "");
    }

    private List<Path> entries() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            List<Path> out = new ArrayList<>();
            ds.forEach(out::add);
            return out;
        } catch (IOException e) {
            throw StorageException.of("listing the artifact registry", root, e);
        }
    }

    /** Refuses early, before anything is written, when the file system reports too little room. */
    private void checkSpace(long bytes, String action) {
        Optional<Long> usable;
        try {
            usable = Optional.of(Files.getFileStore(root).getUsableSpace());
        } catch (IOException | UnsupportedOperationException e) {
            usable = Optional.empty(); // unknown: the write itself reports a full disk
        }
        if (usable.isPresent() && usable.get() < bytes)
            throw new StorageException(StorageException.Kind.FULL, action + ": " + root + ": needs about " + bytes
                    + " bytes, " + usable.get() + " usable", null);
    }

    private Path dir(String name) {
        Path p = root.resolve(validateName(name)).normalize();
        if (!p.getParent().equals(root)) throw new ArtifactException("name: '" + name + "' escapes the registry");
        return p;
    }

    private Path existing(String name) {
        Path d = dir(name);
        if (!Files.isDirectory(d)) throw new ArtifactException("artifact '" + name + "' not found");
        return d;
    }

    private static void checkStoredName(String name, Manifest m) {
        if (!m.name().equals(name))
            throw new ArtifactException("artifact '" + name + "': its manifest names it '" + m.name() + "'");
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getClass().getSimpleName();
    }
}
