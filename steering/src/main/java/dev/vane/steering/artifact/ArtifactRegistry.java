package dev.vane.steering.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory of named artifacts the server may load (design.md §4): requests and admin calls
 * refer to artifacts by name, never by path, so a name is checked against a strict pattern before
 * it touches the file system, which rules out path traversal ({@code ..}, separators, hidden
 * files). Each artifact is a subdirectory {@code <root>/<name>/}.
 *
 * <p>Writes are atomic for readers: an artifact is written into a hidden temporary directory of
 * the registry (same file system) and then moved to its name in one rename, so a concurrent
 * {@link #load} sees the old artifact, or the new one, or none, never half of one. Temporary
 * directories start with {@code .}, which no valid name does, so {@link #names} never lists them.
 */
public final class ArtifactRegistry {

    /** Lower-case letters, digits, {@code . _ -}; starts with a letter or digit; at most 64 chars. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Default cap on the bytes of one artifact read or written (uploads, imports). */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    /** Whether {@link #save} may overwrite an artifact of the same name. */
    public enum SaveMode { CREATE, REPLACE }

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
            throw new ArtifactException("name: invalid artifact name '" + name + "' (1-64 characters of a-z, 0-9, "
                    + "'.', '_', '-', starting with a letter or digit)");
        return name;
    }

    /** Names of the stored artifacts, sorted. */
    public List<String> names() {
        if (!Files.isDirectory(root)) return List.of();
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (NAME.matcher(n).matches() && Files.isRegularFile(p.resolve(Artifact.MANIFEST))) out.add(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the artifact registry: " + e.getMessage(), e);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** The manifests of every stored artifact, by name; a corrupt one fails the call naming it. */
    public List<Manifest> list() {
        List<Manifest> out = new ArrayList<>();
        for (String n : names()) out.add(manifest(n));
        return out;
    }

    public boolean exists(String name) {
        return Files.isRegularFile(dir(name).resolve(Artifact.MANIFEST));
    }

    /** Reads only an artifact's manifest (listing, admin views). */
    public Manifest manifest(String name) {
        Path mf = existing(name).resolve(Artifact.MANIFEST);
        try {
            if (Files.size(mf) > maxBytes) throw new ArtifactException(mf + ": manifest larger than " + maxBytes + " bytes");
            Manifest m = Manifest.parse(Files.readString(mf), mf.toString());
            checkStoredName(name, m);
            return m;
        } catch (IOException e) {
            throw new ArtifactException(mf + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Loads an artifact and checks that it fits the model.
     *
     * @throws ArtifactException when the name is invalid or unknown, a file is corrupt or too
     *         large, or the fingerprint differs from {@code model}'s
     */
    public Artifact load(String name, ModelFingerprint model) {
        Artifact a = Artifact.read(existing(name), maxBytes);
        checkStoredName(name, a.manifest());
        a.manifest().checkModel(model);
        return a;
    }

    /** Stores an artifact under its manifest's name; fails if the name is taken. */
    public Path save(Artifact artifact) {
        return save(artifact, SaveMode.CREATE);
    }

    /**
     * Stores an artifact under its manifest's name, atomically (see the class comment).
     *
     * @return the artifact's directory
     * @throws ArtifactException when the artifact exceeds the size limit, or the name is taken
     *         and {@code mode} is {@link SaveMode#CREATE}
     */
    public Path save(Artifact artifact, SaveMode mode) {
        String name = validateName(artifact.name());
        if (artifact.byteSize() > maxBytes)
            throw new ArtifactException("artifact '" + name + "' holds about " + artifact.byteSize()
                    + " bytes, more than the registry limit of " + maxBytes);
        Path target = dir(name);
        if (mode == SaveMode.CREATE && Files.exists(target))
            throw new ArtifactException("artifact '" + name + "' already exists in " + root);
        Path temp = root.resolve(".tmp-" + name + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(root);
            artifact.write(temp);
            if (mode == SaveMode.REPLACE && Files.exists(target)) {
                // Two renames: the old artifact leaves, the new one arrives; readers never see a mix.
                Path old = root.resolve(".old-" + name + "-" + UUID.randomUUID());
                move(target, old);
                move(temp, target);
                deleteTree(old);
            } else {
                move(temp, target);
            }
            return target;
        } catch (FileAlreadyExistsException e) {
            throw new ArtifactException("artifact '" + name + "' already exists in " + root);
        } catch (IOException e) {
            throw new ArtifactException(root + ": cannot save artifact '" + name + "': " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Removes an artifact: it is renamed out of sight first, then deleted.
     *
     * @return whether it existed
     */
    public boolean delete(String name) {
        Path target = dir(name);
        if (!Files.exists(target)) return false;
        Path old = root.resolve(".old-" + name + "-" + UUID.randomUUID());
        try {
            move(target, old);
            deleteTree(old);
            return true;
        } catch (IOException e) {
            throw new ArtifactException(root + ": cannot delete artifact '" + name + "': " + e.getMessage(), e);
        }
    }

    private Path dir(String name) {
        Path p = root.resolve(validateName(name)).normalize();
        if (!p.getParent().equals(root)) throw new ArtifactException("name: '" + name + "' escapes the registry");
        return p;
    }

    private Path existing(String name) {
        Path d = dir(name);
        if (!Files.isDirectory(d)) throw new ArtifactException("artifact '" + name + "' not found in " + root);
        return d;
    }

    private static void checkStoredName(String name, Manifest m) {
        if (!m.name().equals(name))
            throw new ArtifactException("artifact '" + name + "': its manifest names it '" + m.name() + "'");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException ignored) {
            // a leftover hidden temporary directory is never listed or loaded
        }
    }
}
