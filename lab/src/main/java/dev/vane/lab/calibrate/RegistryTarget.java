package dev.vane.lab.calibrate;

import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;

import java.nio.file.Path;

/**
 * Where a {@code calibrate} command stores its artifact: a registry, a name and whether an
 * existing artifact of that name may be replaced. Checked before the (slow) harvest, so a name
 * clash fails at once.
 */
record RegistryTarget(ArtifactRegistry registry, String name, boolean replace) {

    RegistryTarget(Path root, String name, boolean replace) {
        this(new ArtifactRegistry(root), name, replace);
    }

    /** @throws ArtifactException when the name is taken and {@code replace} is off */
    void checkFree() {
        if (!replace && registry.exists(name))
            throw new ArtifactException("artifact '" + name + "' already exists in " + registry.root()
                    + " (--replace to overwrite)");
    }

    /** Saves (replacing when allowed); returns the artifact's directory. */
    Path save(Artifact artifact) {
        return registry.save(artifact, replace ? ArtifactRegistry.SaveMode.REPLACE : ArtifactRegistry.SaveMode.CREATE);
    }
}
