package dev.vane.lab.calibrate;

import dev.vane.engine.config.HfConfig;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import dev.vane.steering.plan.LayerRange;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code vane artifacts}: look after a registry from the command line.
 *
 * <pre>
 *   vane artifacts list --registry DIR
 *   vane artifacts import-gguf --file FILE --model DIR --name NAME --registry DIR [--replace]
 *   vane artifacts export-gguf --name NAME --model DIR --registry DIR --out FILE [--layers FIRST[-LAST]]
 *   vane artifacts delete --name NAME --registry DIR
 * </pre>
 *
 * {@code --model} is read for its {@code config.json} only (the fingerprint), so no weights load.
 */
public final class ArtifactsCommand {

    private ArtifactsCommand() {}

    /** Prints the registry's artifacts as a table ({@link #table}), then each one that cannot be read and why. */
    public static void list(Path registry, PrintStream out) {
        ArtifactRegistry.Listing listing = new ArtifactRegistry(registry).list();
        out.print(table(listing.manifests()));
        for (ArtifactRegistry.Problem p : listing.problems()) out.println("unreadable: " + p.name() + ": " + p.message());
    }

    /**
     * Imports llama.cpp / repeng control vectors ({@code direction.N} = output of block N) as a vector set.
     *
     * @param command the command line recorded in the artifact's provenance
     */
    public static void importGguf(Path file, Path model, String name, Path registryDir, boolean replace, String command,
                                  PrintStream out) throws IOException {
        ArtifactRegistry registry = new ArtifactRegistry(registryDir);
        Artifact a = ControlVectors.importArtifact(file, name, fingerprint(model), registry.maxBytes(), command);
        Path dir = registry.save(a, replace ? ArtifactRegistry.SaveMode.REPLACE : ArtifactRegistry.SaveMode.CREATE);
        out.println("imported " + a.name() + " (layers " + ranges(a.manifest().layers()) + ") to " + dir);
    }

    /**
     * Writes a vector set as llama.cpp control vectors: its layers within {@code layers} (all when
     * empty), less layer 0, which control vectors cannot express (llama.cpp never applies
     * {@code direction.0}): dropped with a warning on {@code err}.
     */
    public static void exportGguf(String name, Path model, Path registryDir, Path file, Optional<LayerRange> layers,
                                  PrintStream out, PrintStream err) throws IOException {
        ModelFingerprint fp = fingerprint(model);
        VectorSet v = VectorSet.from(new ArtifactRegistry(registryDir).load(name, fp));
        layers.ifPresent(r -> r.within(v.numLayers()));
        float[][] kept = new float[v.numLayers()][];
        for (int l : v.layers()) if (layers.map(r -> r.contains(l)).orElse(true)) kept[l] = v.direction(l);
        if (kept[0] != null) {
            kept[0] = null;
            err.println("warning: layer 0 of '" + name + "' not exported: llama.cpp control vectors never apply to block 0");
        }
        List<Integer> written = new ArrayList<>();
        for (int l = 0; l < kept.length; l++) if (kept[l] != null) written.add(l);
        if (written.isEmpty())
            throw new ArtifactException("'" + name + "' has no vector to export on layers " + layers.map(LayerRange::toString).orElse("1..")
                    + " (it has layers " + ranges(v.layers()) + "; control vectors start at layer 1)");
        ControlVectors.exportGguf(new VectorSet(v.site(), v.hiddenSize(), kept), ModelFingerprint.name(fp.architecture()), file);
        out.println("wrote " + file + " (layers " + ranges(written) + ")");
    }

    public static void delete(String name, Path registryDir, PrintStream out) {
        ArtifactRegistry registry = new ArtifactRegistry(registryDir);
        if (!registry.delete(name)) throw new ArtifactException("artifact '" + name + "' not found in " + registry.root());
        out.println("deleted " + name);
    }

    private static ModelFingerprint fingerprint(Path model) {
        return ModelFingerprint.of(HfConfig.read(model));
    }

    /**
     * One row per artifact: name, kind, site, layers, model, held-out accuracy, creation time. The
     * accuracy is {@code valid.accuracy.best} (the best layer of a per-layer artifact) or else
     * {@code valid.accuracy.final} (a controller after its last epoch).
     */
    static String table(List<Manifest> manifests) {
        StringBuilder b = new StringBuilder("| name | kind | site | layers | model | valid accuracy | created |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Manifest m : manifests) {
            Double acc = m.metrics().getOrDefault("valid.accuracy.best", m.metrics().get("valid.accuracy.final"));
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s d=%d L=%d | %s | %s |%n", m.name(),
                    m.kind().jsonName(), m.site().name().toLowerCase(Locale.ROOT), ranges(m.layers()),
                    ModelFingerprint.name(m.fingerprint().architecture()), m.fingerprint().hiddenSize(),
                    m.fingerprint().numLayers(), acc == null ? "-" : String.format(Locale.ROOT, "%.3f", acc),
                    m.provenance().created()));
        }
        return b.toString();
    }

    /** Ascending layers as ranges: {@code [0, 1, 2, 5]} → {@code 0-2,5}. */
    static String ranges(List<Integer> layers) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < layers.size(); ) {
            int j = i;
            while (j + 1 < layers.size() && layers.get(j + 1) == layers.get(j) + 1) j++;
            parts.add(i == j ? String.valueOf(layers.get(i)) : layers.get(i) + "-" + layers.get(j));
            i = j + 1;
        }
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }

}
