package dev.vane.cli;

import dev.vane.lab.calibrate.ArtifactsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

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

    @Override
    public Integer call() throws Exception {
        ArtifactsCommand.exportGguf(name, model, registry, file, out());
        return 0;
    }
}
