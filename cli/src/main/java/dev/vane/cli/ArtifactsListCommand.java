package dev.vane.cli;

import dev.vane.lab.calibrate.ArtifactsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane artifacts list}. */
@Command(name = "list", description = "Print a registry's artifacts as a table.")
final class ArtifactsListCommand extends Leaf {

    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "artifact registry directory")
    Path registry;

    @Override
    public Integer call() {
        ArtifactsCommand.list(registry, out());
        return 0;
    }
}
