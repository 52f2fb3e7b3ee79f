package dev.vane.steering.control;

import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ArtifactRegistry.SaveMode;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.gguf.ControlVectors;
import dev.vane.engine.gguf.GgufException;

import dev.vane.engine.text.Snippet;
import dev.vane.steering.artifact.ArtifactRegistry.Staging;
import dev.vane.steering.artifact.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Changing a running server's artifacts: listing, storing an upload (a Vane artifact or a GGUF
 * control vector), deleting. Every upload is checked against the served model before it is
 * stored (its fingerprint, and {@link ArtifactChecks}: its kind's tensors and shapes, bounded
 * finite values); a stored or deleted artifact is evicted from the plans' cache so that requests admitted
 * afterwards see the change, and each change is reported (kind {@code artifact}) to the same
 * listener as {@link SteeringControl}'s. Refusals are {@link ControlException}s.
 */
public final class ArtifactAdmin {

    private final RegistryArtifacts artifacts;
    private final SteeringControl steering;
    private final Consumer<SteeringControl.Change> onChange;

    public ArtifactAdmin(RegistryArtifacts artifacts, SteeringControl steering, Consumer<SteeringControl.Change> onChange) {
        this.artifacts = artifacts;
        this.steering = steering;
        this.onChange = onChange;
    }

    private ArtifactRegistry registry() { return artifacts.registry(); }

    /** The stored artifacts' names, sorted. */
    public List<String> names() { return registry().names(); }

    /** The stored artifacts' manifests, by name, and those that cannot be read. */
    public ArtifactRegistry.Listing list() { return registry().list(); }

    /** @throws ControlException INVALID or NOT_FOUND on {@code name} */
    public Manifest manifest(String name) {
        return registry().manifest(existing(name));
    }

    /**
     * Checks an upload against the model and stores it under {@code name}.
     *
     * @param mode {@link SaveMode#CREATE} refuses a taken name (CONFLICT); {@link SaveMode#REPLACE} overwrites
     * @param who  who asked, for the log and the GGUF import's provenance
     * @return the stored artifact's manifest
     * @throws ControlException INVALID on {@code name}, on {@code manifest}, {@code manifest.name},
     *         {@code manifest.fingerprint}, or without a field when the file cannot be read; files
     *         are named as uploaded ({@code manifest.json}, {@code <name>.gguf}), never by path
     * @throws StorageException when the registry cannot take it (disk full, read-only); nothing is stored
     */
    public Manifest store(String name, ArtifactUpload upload, SaveMode mode, String who) {
        checkName(name);
        if (mode == SaveMode.CREATE && registry().exists(name))
            throw ControlException.conflict("name", "artifact '" + name + "' already exists");
        try (Staging staging = registry().stage()) {
            Artifact a;
            try {
                a = switch (upload) {
                    case ArtifactUpload.Gguf g -> gguf(name, g, staging.dir(), who);
                    case ArtifactUpload.Vane v -> vane(name, v, staging);
                };
                ArtifactChecks.check(a, artifacts.fingerprint());
            } catch (ArtifactException | GgufException e) {
                throw ControlException.invalidContent(staging.relative(e.getMessage()), e);
            }
            try {
                registry().save(a, mode);
            } catch (ArtifactException e) {
                throw ControlException.invalidContent(e.getMessage(), e);
            }
            artifacts.evict(name);
            changed(who, (mode == SaveMode.REPLACE ? "stored" : "created") + " artifact " + name
                    + " (" + a.manifest().kind().jsonName() + ")");
            return a.manifest();
        }
    }

    private Artifact gguf(String name, ArtifactUpload.Gguf upload, Path dir, String who) {
        Path file = dir.resolve(name + ".gguf");
        write(file, upload.file());
        return ControlVectors.importArtifact(file, name, artifacts.fingerprint(), registry().maxBytes(),
                "admin upload by " + who);
    }

    private Artifact vane(String name, ArtifactUpload.Vane upload, Staging staging) {
        Path dir = staging.dir();
        write(dir.resolve(Artifact.MANIFEST), upload.manifestJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        write(dir.resolve(Artifact.TENSORS), upload.tensors());
        Artifact a;
        try {
            a = Artifact.read(dir, registry().maxBytes());
        } catch (ArtifactException e) {
            throw ControlException.invalid("manifest", staging.relative(e.getMessage()));
        }
        if (!a.name().equals(name))
            throw ControlException.invalid("manifest.name", "manifest name '" + Snippet.of(a.name())
                    + "' differs from the name '" + name + "' it is stored under");
        try {
            a.manifest().checkModel(artifacts.fingerprint());
        } catch (ArtifactException e) {
            throw ControlException.invalid("manifest.fingerprint", e.getMessage());
        }
        return a;
    }

    /**
     * Deletes an artifact that no profile uses.
     *
     * @throws ControlException INVALID or NOT_FOUND on {@code name}, CONFLICT when a profile uses it
     */
    public void delete(String name, String who) {
        checkName(name);
        List<String> users = steering.profilesUsing(name);
        if (!users.isEmpty())
            throw ControlException.conflict("name", "artifact '" + name + "' is used by profiles " + users);
        if (!registry().delete(name))
            throw ControlException.notFound("name", "no artifact named '" + name + "'");
        artifacts.evict(name);
        changed(who, "deleted artifact " + name);
    }

    /** Reports an artifact change made by another operation (a probe refinement). */
    void changed(String who, String what) {
        onChange.accept(new SteeringControl.Change("artifact", who, what, Instant.now()));
    }

    /**
     * Checks an artifact name before anything else is read (every operation here checks it too).
     *
     * @throws ControlException INVALID on {@code name} when it is not a valid artifact name
     */
    public static String checkName(String name) {
        try {
            return ArtifactRegistry.validateName(name);
        } catch (ArtifactException e) {
            throw ControlException.invalid("name", e.getMessage());
        }
    }

    /** @throws ControlException INVALID or NOT_FOUND on {@code name} */
    String existing(String name) {
        if (!registry().exists(checkName(name)))
            throw ControlException.notFound("name", "no artifact named '" + name + "'");
        return name;
    }

    RegistryArtifacts artifacts() { return artifacts; }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw StorageException.of("staging an upload", file.getParent(), e);
        }
    }
}
