package dev.vane.cli;

import dev.vane.engine.model.ComputeDType;
import dev.vane.lab.calibrate.CalibrateVectors;
import dev.vane.lab.vector.FitMethod;
import dev.vane.steering.artifact.LayerRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** {@code vane calibrate vectors} ({@link CalibrateVectors}). */
@Command(name = "vectors", sortOptions = false,
        description = "Fit a steering vector-set from contrastive prompt pairs and store it in a registry.")
final class CalibrateVectorsCommand extends Leaf {

    @Mixin
    CalibrationTarget target;
    @Option(names = "--prompts", required = true, paramLabel = "FILE", description =
            "JSONL, one {\"positive\": \"...\", \"negative\": \"...\"} pair per line, optionally " +
            "with \"split\": \"train\"|\"valid\" on every line")
    Path prompts;
    @Option(names = "--method", defaultValue = "mean-diff", paramLabel = "mean-diff|pca",
            description = "mean-diff (default) or pca (first principal component of paired differences)")
    FitMethod method;
    @Option(names = "--layers", paramLabel = "A-B", description = "inclusive layer range to fit (default: all)")
    LayerRange layers;
    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "prompts per forward pass (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--chat", description = "wrap each prompt as a user turn of the model's chat template")
    boolean chat;
    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f16", description = "compute dtype (${DEFAULT-VALUE})")
    ComputeDType dtype;
    @Option(names = "--valid-fraction", defaultValue = "0.25", paramLabel = "F",
            description = "share of pairs held out for evaluation when the file has no \"split\" (${DEFAULT-VALUE})")
    double validFraction;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "random-split seed (${DEFAULT-VALUE})")
    long seed;

    CalibrateVectors.Options options() {
        return options(() -> new CalibrateVectors.Options(target.model, prompts, target.checkedName(), target.registry, method,
                Optional.ofNullable(layers), Checks.atLeast("--batch", batch, 1), chat, dtype,
                Checks.fraction("--valid-fraction", validFraction), seed, target.replace));
    }

    @Override
    public Integer call() {
        CalibrateVectors.run(options(), typed(), out(), err());
        return 0;
    }
}
