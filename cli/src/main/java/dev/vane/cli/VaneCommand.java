package dev.vane.cli;

import picocli.CommandLine.Command;

/** The root of the command tree: {@code vane COMMAND [flags]}. Every command takes {@code --help}. */
@Command(name = "vane",
        description = {"An LLM inference server for the JVM with pluggable activation steering, and its offline tools.",
                "Without a command (or with flags only) it serves."},
        subcommands = {ServeCommand.class, TryCommand.class, TrainCommands.class, DataCommands.class, ConvertCommand.class, MergeCommand.class,
                CalibrateCommands.class, ArtifactsCommands.class, EvalCommands.class, HelpCommand.class},
        footer = {"", "Exit status: 0 done, 1 failed, 2 usage error. Set VANE_DEBUG=1 for stack traces."})
final class VaneCommand {
}
