package dev.vane.lab.calibrate;

import dev.vane.lab.cli.Flags;

import dev.vane.engine.config.HfConfig;
import dev.vane.engine.weights.CheckpointException;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import dev.vane.steering.gguf.GgufException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code vane artifacts}: look after a registry from the command line.
 *
 * <pre>
 *   vane artifacts list --registry DIR
 *   vane artifacts import-gguf --file FILE --model DIR --name NAME --registry DIR [--replace]
 *   vane artifacts export-gguf --name NAME --model DIR --registry DIR --out FILE
 *   vane artifacts delete --name NAME --registry DIR
 * </pre>
 *
 * {@code --model} is read for its {@code config.json} only (the fingerprint), so no weights load.
 * Exit status 0 on success, 1 when the operation fails, 2 on a usage error.
 */
public final class ArtifactsCommand {

    static final String USAGE = """
            usage: vane artifacts list --registry DIR
                   vane artifacts import-gguf --file FILE --model DIR --name NAME --registry DIR [--replace]
                   vane artifacts export-gguf --name NAME --model DIR --registry DIR --out FILE
                   vane artifacts delete --name NAME --registry DIR
              import-gguf reads llama.cpp / repeng control vectors (direction.N = output of block N)
            """;

    private ArtifactsCommand() {}

    /** @return the exit status */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String sub = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        Map<String, String> f;
        boolean replace = rest.contains("--replace");
        try {
            f = switch (sub) {
                case "list" -> flags(rest, Set.of("--registry"), Set.of());
                case "import-gguf" -> flags(rest, Set.of("--file", "--model", "--name", "--registry"), Set.of("--replace"));
                case "export-gguf" -> flags(rest, Set.of("--name", "--model", "--registry", "--out"), Set.of());
                case "delete" -> flags(rest, Set.of("--name", "--registry"), Set.of());
                default -> throw new IllegalArgumentException("unknown subcommand '" + sub + "' (list, import-gguf, export-gguf, delete)");
            };
        } catch (IllegalArgumentException e) {
            err.println("vane artifacts: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            ArtifactRegistry registry = new ArtifactRegistry(Path.of(f.get("--registry")));
            switch (sub) {
                case "list" -> out.print(table(registry.list()));
                case "import-gguf" -> {
                    Artifact a = ControlVectors.importArtifact(Path.of(f.get("--file")), f.get("--name"),
                            fingerprint(f), registry.maxBytes(), "vane artifacts " + CommandLine.quote(args));
                    Path dir = registry.save(a, replace ? ArtifactRegistry.SaveMode.REPLACE : ArtifactRegistry.SaveMode.CREATE);
                    out.println("imported " + a.name() + " (layers " + ranges(a.manifest().layers()) + ") to " + dir);
                }
                case "export-gguf" -> {
                    ModelFingerprint fp = fingerprint(f);
                    VectorSet v = VectorSet.from(registry.load(f.get("--name"), fp));
                    Path file = Path.of(f.get("--out"));
                    ControlVectors.exportGguf(v, ModelFingerprint.name(fp.architecture()), file);
                    out.println("wrote " + file);
                }
                case "delete" -> {
                    if (!registry.delete(f.get("--name")))
                        throw new ArtifactException("artifact '" + f.get("--name") + "' not found in " + registry.root());
                    out.println("deleted " + f.get("--name"));
                }
                default -> throw new AssertionError(sub);
            }
            return 0;
        } catch (ArtifactException | GgufException | CheckpointException | IllegalArgumentException e) {
            err.println("vane artifacts " + sub + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("vane artifacts " + sub + ": " + e.getMessage());
            return 1;
        }
    }

    private static ModelFingerprint fingerprint(Map<String, String> f) {
        return ModelFingerprint.of(HfConfig.read(Path.of(f.get("--model"))));
    }

    /** {@code --flag value} pairs; every flag in {@code required} must appear, nothing else but {@code switches}. */
    private static Map<String, String> flags(List<String> args, Set<String> required, Set<String> switches) {
        Flags f = Flags.parse(args, required, switches, List.copyOf(required));
        Map<String, String> v = new LinkedHashMap<>();
        for (String r : required) v.put(r, f.require(r));
        return v;
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
