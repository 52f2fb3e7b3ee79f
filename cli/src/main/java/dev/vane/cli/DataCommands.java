package dev.vane.cli;

import picocli.CommandLine.Command;

/** {@code vane data demo|steering}. */
@Command(name = "data", description = "Build the demo corpus and the steering prompt sets.",
        subcommands = {DataDemoCommand.class, DataSteeringCommand.class})
final class DataCommands {
}
