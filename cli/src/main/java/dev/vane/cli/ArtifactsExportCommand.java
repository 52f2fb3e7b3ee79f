package dev.vane.cli;

import dev.vane.lab.calibrate.ArtifactsCommand;
import dev.vane.steering.plan.LayerRange;
import dev.vane.steering.plan.PlanException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** {@code vane artifacts export-gguf}. */
@Command(name = "export-gguf", sortOptions = false, description = "Write a vector set as llama.cpp control vectors.")
final class ArtifactsExportCommand extends Leaf {

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "the artifact's name")
    String name;
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the model it steers (config.json only)")
    Path model;
    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "artifact registry directory")
    Path registry;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the GGUF file to write")
    Path file;
    @Option(names = "--layers", paramLabel = "FIRST[-LAST]",
            description = "export only these layers (default: all the set has; layer 0 is always left out, with a warning)")
    String layers;

    @Override
    public Integer call() throws Exception {
        try {
            ArtifactsCommand.exportGguf(name, model, registry, file, Optional.ofNullable(layers).map(this::range), out(), err());
        } catch (PlanException e) { // a range beyond the model
            throw usage("--layers: " + e.getMessage());
        }
        return 0;
    }

    /** {@code N} or {@code FIRST-LAST}. */
    private LayerRange range(String s) {
        String[] p = s.trim().split("-", -1);
        try {
            if (p.length == 1) return new LayerRange(Integer.parseInt(p[0]), Integer.parseInt(p[0]));
            if (p.length == 2) return new LayerRange(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        } catch (NumberFormatException | PlanException e) {
            throw usage("--layers: expected N or FIRST-LAST with 0 <= FIRST <= LAST, got '" + s + "'");
        }
        throw usage("--layers: expected N or FIRST-LAST, got '" + s + "'");
    }
}
