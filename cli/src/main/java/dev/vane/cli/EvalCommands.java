package dev.vane.cli;

import picocli.CommandLine.Command;

/** {@code vane eval demo|layer-skip|steering|task-embedding}. */
@Command(name = "eval", description = "Measure a model: the model card, layer skipping, steering effects, task embeddings.",
        subcommands = {EvalDemoCommand.class, EvalLayerSkipCommand.class, SteeringCommands.class,
                EvalTaskEmbeddingCommand.class})
final class EvalCommands {
}
