package dev.vane.cli;

import picocli.CommandLine.Command;

/** {@code vane calibrate vectors|controller|gact|task-embedding}. */
@Command(name = "calibrate", description = "Fit a steering artifact and store it in a registry.",
        subcommands = {CalibrateVectorsCommand.class, CalibrateControllerCommand.class, CalibrateGactCommand.class,
                CalibrateTaskEmbeddingCommand.class})
final class CalibrateCommands {
}
