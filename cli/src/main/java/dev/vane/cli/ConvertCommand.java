package dev.vane.cli;

import dev.vane.engine.weights.FileDType;
import dev.vane.lab.convert.ConvertCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane convert} ({@link ConvertCheckpoint}). */
@Command(name = "convert", sortOptions = false,
        description = "Rewrite a checkpoint in another file dtype, copying the tokenizer and generation files.")
final class ConvertCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "IN", description = "checkpoint directory to read")
    Path model;
    @Option(names = "--out", required = true, paramLabel = "OUT", description = "directory to write")
    Path out;
    @Option(names = "--dtype", defaultValue = "f16", paramLabel = "f16|bf16|f32", description = "file dtype of the weights (${DEFAULT-VALUE})")
    FileDType dtype;

    @Override
    public Integer call() throws Exception {
        ConvertCheckpoint.run(model, out, dtype);
        return 0;
    }
}
