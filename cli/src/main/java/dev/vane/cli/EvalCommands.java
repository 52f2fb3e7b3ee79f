package dev.vane.cli;

import picocli.CommandLine.Command;

/** {@code vane eval demo|layer-skip|attention|steering|task-embedding}. */
@Command(name = "eval", description = "Measure a model: the model card, layer skipping, attention length extrapolation, steering effects, task embeddings.",
        subcommands = {EvalDemoCommand.class, EvalLayerSkipCommand.class, EvalAttentionCommand.class, EvalBeaconCommand.class, SteeringCommands.class,
                EvalTaskEmbeddingCommand.class})
final class EvalCommands {
}
