package dev.vane.cli;

import dev.vane.engine.weights.FileDType;
import dev.vane.lab.convert.MergeCheckpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane merge} ({@link MergeCheckpoints}). */
@Command(name = "merge", sortOptions = false,
        description = {"Interpolate a fine-tuned checkpoint with the one it was fine-tuned from (WiSE-FT):",
                "every parameter base + w * (model - base); tokenizer and generation files from --model."})
final class MergeCommand extends Leaf {

    @Option(names = "--base", required = true, paramLabel = "DIR", description = "the checkpoint the fine-tune started from")
    Path base;
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the fine-tuned checkpoint")
    Path model;
    @Option(names = "--weight", required = true, paramLabel = "W", description = "w in [0, 1]: 1 is --model, 0 is --base")
    double weight;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory to write")
    Path out;
    @Option(names = "--dtype", defaultValue = "f16", paramLabel = "f16|bf16|f32", description = "dtype of the written weights (${DEFAULT-VALUE})")
    String dtype;

    @Override
    public Integer call() throws Exception {
        FileDType file = options(() -> {
            MergeCheckpoints.checkWeight(weight);
            return ConvertCommand.checkpointDType(dtype);
        });
        MergeCheckpoints.Result r = MergeCheckpoints.run(base, model, weight, out, file);
        if (r.droppedBeacon())
            System.err.println("vane merge: the beacon parameters of " + model + " are not carried over (trained for other weights);"
                    + " run train beacon on " + out);
        return 0;
    }
}
