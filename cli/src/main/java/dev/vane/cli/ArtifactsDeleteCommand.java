package dev.vane.cli;

import dev.vane.lab.calibrate.ArtifactsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane artifacts delete}. */
@Command(name = "delete", sortOptions = false, description = "Delete an artifact from a registry.")
final class ArtifactsDeleteCommand extends Leaf {

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "the artifact's name")
    String name;
    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "artifact registry directory")
    Path registry;

    @Override
    public Integer call() {
        ArtifactsCommand.delete(name, registry, out());
        return 0;
    }
}
