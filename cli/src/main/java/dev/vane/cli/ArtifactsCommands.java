package dev.vane.cli;

import picocli.CommandLine.Command;

/** {@code vane artifacts list|import-gguf|export-gguf|push|delete}. */
@Command(name = "artifacts", description = "Look after an artifact registry (docs/artifacts.md).",
        subcommands = {ArtifactsListCommand.class, ArtifactsImportCommand.class, ArtifactsExportCommand.class,
                ArtifactsPushCommand.class, ArtifactsDeleteCommand.class})
final class ArtifactsCommands {
}
