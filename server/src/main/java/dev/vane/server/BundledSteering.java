package dev.vane.server;

import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.StorageException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a model directory ships for steering, in {@code steering/}: artifacts
 * ({@code steering/artifacts/NAME/}), the pair files they were fitted from, and a profiles file
 * ({@code steering/profiles.json}). At start each bundled artifact that the registry lacks is
 * copied into it, so requests, profiles and the admin API see it like any other; one the
 * registry already holds under that name is left as it is (with a warning when it differs), and
 * one made for another model is skipped with a warning. The profiles file is loaded when the
 * settings name none ({@code --profiles}).
 */
final class BundledSteering {

    private static final System.Logger LOG = System.getLogger(BundledSteering.class.getName());

    /** The folder of a model directory that holds its steering files. */
    static final String DIR = "steering";
    static final String PROFILES = "profiles.json";

    private BundledSteering() {}

    /** What {@link #install} did. */
    record Installed(List<String> copied, List<String> kept, List<String> skipped, Optional<Path> profiles) {}

    /**
     * At start: the registry's clean-up of interrupted writes ({@link ArtifactAdminService#recover}),
     * then {@link #install}, both under a lock on {@code .start.lock} in the registry, so that two
     * servers starting on one registry do not clean up each other's copies half-written (a registry
     * that cannot be written is cleaned and filled without the lock, which then fails and is logged).
     */
    static Installed prepare(Path model, ArtifactRegistry registry, ModelFingerprint served) {
        FileChannel channel = null;
        FileLock lock = null;
        try {
            Files.createDirectories(registry.root());
            channel = FileChannel.open(registry.root().resolve(".start.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.lock();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "no start lock on " + registry.root() + ": " + e.getMessage());
        }
        try {
            ArtifactAdminService.recover(registry);
            return install(model, registry, served);
        } finally {
            try {
                if (lock != null) lock.release();
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // the lock goes with the channel
            }
        }
    }

    /** Copies the bundled artifacts of {@code model} (a directory; a GGUF file bundles none) into {@code registry}. */
    static Installed install(Path model, ArtifactRegistry registry, ModelFingerprint served) {
        List<String> copied = new ArrayList<>(), kept = new ArrayList<>(), skipped = new ArrayList<>();
        Path dir = model.resolve(DIR);
        if (!Files.isDirectory(model) || !Files.isDirectory(dir)) return new Installed(copied, kept, skipped, Optional.empty());
        Path artifacts = dir.resolve("artifacts");
        if (Files.isDirectory(artifacts)) {
            List<Path> each;
            try (Stream<Path> s = Files.list(artifacts)) {
                each = s.filter(Files::isDirectory).sorted().toList();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot list bundled artifacts in " + artifacts + ": " + e.getMessage());
                each = List.of();
            }
            for (Path a : each) {
                String name = a.getFileName().toString();
                try {
                    Artifact bundled = Artifact.read(a, registry.maxBytes());
                    if (!bundled.manifest().fingerprint().equals(served)) {
                        LOG.log(System.Logger.Level.WARNING, "bundled artifact " + name + " was made for another model: not installed");
                        skipped.add(name);
                    } else if (registry.exists(name)) {
                        if (!registry.manifest(name).equals(bundled.manifest()))
                            LOG.log(System.Logger.Level.WARNING, "the registry's artifact " + name + " differs from the one bundled in "
                                    + a + ": the registry's is kept (delete it to install the bundled one)");
                        kept.add(name);
                    } else {
                        registry.save(bundled, ArtifactRegistry.SaveMode.CREATE);
                        copied.add(name);
                    }
                } catch (ArtifactException | StorageException e) {
                    if (registry.exists(name)) { // another process installed it meanwhile
                        kept.add(name);
                    } else {
                        LOG.log(System.Logger.Level.WARNING, "bundled artifact " + a + " not installed: " + e.getMessage());
                        skipped.add(name);
                    }
                }
            }
            if (!copied.isEmpty())
                LOG.log(System.Logger.Level.INFO, "installed bundled artifacts " + copied + " into " + registry.root());
        }
        Path profiles = dir.resolve(PROFILES);
        return new Installed(copied, kept, skipped, Files.isRegularFile(profiles) ? Optional.of(profiles) : Optional.empty());
    }
}
