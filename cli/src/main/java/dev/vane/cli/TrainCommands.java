package dev.vane.cli;

import picocli.CommandLine.Command;

/** {@code vane train lm|beacon|tokenizer}. */
@Command(name = "train", description = "Train a language model or a tokenizer.",
        subcommands = {TrainLmCommand.class, TrainBeaconCommand.class, TrainTokenizerCommand.class})
final class TrainCommands {
}
