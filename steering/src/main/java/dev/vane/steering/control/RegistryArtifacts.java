package dev.vane.steering.control;

import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gact.GactSelector;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.PlanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Artifacts for plans, from the server's registry directory: loaded on first use, checked
 * against the served model's fingerprint and {@link ArtifactChecks}, and kept until their manifest changes on disk (an admin
 * upload replaces an artifact; the next request sees the new one).
 */
public final class RegistryArtifacts implements ArtifactResolver {

    private record Cached(FileTime stamp, ArtifactKind kind, Object view) {}

    private final ArtifactRegistry registry;
    private final ModelFingerprint model;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public RegistryArtifacts(ArtifactRegistry registry, ModelFingerprint model) {
        this.registry = registry;
        this.model = model;
    }

    public ArtifactRegistry registry() { return registry; }

    public ModelFingerprint fingerprint() { return model; }

    @Override
    public SteeringVectors vectors(String name) {
        return view(name, ArtifactKind.VECTOR_SET, a -> {
            VectorSet v = VectorSet.from(a);
            Map<Integer, float[]> byLayer = new HashMap<>();
            for (int l : v.layers()) byLayer.put(l, v.direction(l));
            return new SteeringVectors(name, v.site(), v.hiddenSize(), byLayer);
        });
    }

    @Override
    public ControllerModel controller(String name) {
        return view(name, ArtifactKind.CONTROLLER, MethodArtifacts::model);
    }

    @Override
    public ProbeSteering gact(String name) {
        return view(name, ArtifactKind.GACT, a -> MethodArtifacts.probes(new GactSelector(MethodArtifacts.gact(a))));
    }

    @Override
    public TaskEmbedding taskEmbedding(String name) {
        return view(name, ArtifactKind.TASK_EMBEDDING, a -> MethodArtifacts.taskEmbedding(a).view(name));
    }

    @SuppressWarnings("unchecked")
    private <T> T view(String name, ArtifactKind kind, Function<Artifact, T> make) {
        try {
            ArtifactRegistry.validateName(name);
            if (!registry.exists(name))
                throw PlanException.notFound("artifact", "no artifact named '" + name + "' in the registry");
            FileTime stamp = stamp(name);
            Cached c = cache.get(name);
            if (c == null || !c.stamp().equals(stamp)) {
                var manifest = registry.manifest(name);
                if (manifest.kind() != kind)
                    throw new PlanException("artifact", "artifact '" + name + "' is a " + manifest.kind().jsonName()
                            + ", not a " + kind.jsonName());
                Artifact loaded = registry.load(name, model);
                ArtifactChecks.check(loaded, model); // a file changed on disk is held to the upload's bounds
                c = new Cached(stamp, kind, make.apply(loaded));
                cache.put(name, c);
            }
            if (c.kind() != kind)
                throw new PlanException("artifact", "artifact '" + name + "' is a " + c.kind().jsonName()
                        + ", not a " + kind.jsonName());
            return (T) c.view();
        } catch (ArtifactException e) {
            throw new PlanException("artifact", e.getMessage());
        }
    }

    private FileTime stamp(String name) {
        try {
            return Files.getLastModifiedTime(registry.root().resolve(name).resolve(Artifact.MANIFEST));
        } catch (IOException e) {
            // the reason without the path: this message answers a request
            throw new PlanException("artifact", "artifact '" + name + "' cannot be read ("
                    + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName()) + ")");
        }
    }

    /** Forgets a cached artifact (after a delete). */
    public void evict(String name) {
        cache.remove(name);
    }
}
