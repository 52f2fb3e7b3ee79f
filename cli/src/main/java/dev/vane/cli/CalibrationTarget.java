package dev.vane.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The flags every {@code calibrate} command shares: the model, and the registry entry the artifact goes to. */
final class CalibrationTarget {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory")
    Path model;
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "the artifact's name in the registry")
    String name;
    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "artifact registry directory")
    Path registry;
    @Option(names = "--replace", description = "overwrite an artifact of the same name")
    boolean replace;

    /** {@code --name}, checked against the registry's naming rule. */
    String checkedName() {
        return Checks.name("--name", name);
    }
}
