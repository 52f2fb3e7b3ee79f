package dev.vane.cli;

import picocli.CommandLine.Command;

/** {@code vane eval steering classifier|genre|refusal|probes}. */
@Command(name = "steering", description = "The steering measurements of docs/steering.md, as Markdown.",
        subcommands = {SteeringClassifierCommand.class, SteeringGenreCommand.class, SteeringRefusalCommand.class,
                SteeringProbesCommand.class})
final class SteeringCommands {
}
