package dev.vane.cli;

import dev.vane.lab.calibrate.ArtifactsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane artifacts import-gguf}. */
@Command(name = "import-gguf", sortOptions = false,
        description = "Import llama.cpp / repeng control vectors (direction.N = output of block N) as a vector set.")
final class ArtifactsImportCommand extends Leaf {

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "the GGUF control-vector file")
    Path file;
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the model it steers (config.json only)")
    Path model;
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "the artifact's name")
    String name;
    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "artifact registry directory")
    Path registry;
    @Option(names = "--replace", description = "overwrite an artifact of the same name")
    boolean replace;

    @Override
    public Integer call() throws Exception {
        ArtifactsCommand.importGguf(file, model, name, registry, replace, typed(), out());
        return 0;
    }
}
