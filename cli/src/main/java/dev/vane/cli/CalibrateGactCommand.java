package dev.vane.cli;

import dev.vane.engine.model.ComputeDType;
import dev.vane.lab.calibrate.CalibrateGact;
import dev.vane.steering.artifact.LayerRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** {@code vane calibrate gact} ({@link CalibrateGact}). */
@Command(name = "gact", sortOptions = false, description =
            "Fit G-ACT from concept-neutral and concept-explicit prompt pairs, compare its probes with ACT's, " +
            "and store it in a registry.")
final class CalibrateGactCommand extends Leaf {

    @Mixin
    CalibrationTarget target;
    @Option(names = "--prompts", required = true, paramLabel = "FILE", description =
            "JSONL, one {\"neutral\": \"...\", \"explicit\": \"...\"} pair per line, optionally " +
            "with \"split\": \"train\"|\"valid\" on every line")
    Path prompts;
    @Option(names = "--layers", paramLabel = "A-B", description = "inclusive layer range to fit (default: all)")
    LayerRange layers;
    @Option(names = "--clusters", defaultValue = "3", paramLabel = "K",
            description = "steering directions per layer, k-means of explicit - neutral (${DEFAULT-VALUE})")
    int clusters;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "k-means, probe and random-split seed (${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--table", paramLabel = "FILE.md", description = "also write the G-ACT vs ACT probe-accuracy table to this file")
    Path table;
    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "prompts per forward pass (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--chat", description = "wrap each prompt as a user turn of the model's chat template")
    boolean chat;
    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f16", description = "compute dtype (${DEFAULT-VALUE})")
    ComputeDType dtype;
    @Option(names = "--valid-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "share of pairs held out when the file has no \"split\" (${DEFAULT-VALUE})")
    double validFraction;

    CalibrateGact.Options options() {
        return options(() -> {
            String name = target.checkedName();
            return new CalibrateGact.Options(target.model, prompts, name, target.registry, Optional.ofNullable(layers),
                    Checks.atLeast("--clusters", clusters, 2), seed, Optional.ofNullable(table), Checks.atLeast("--batch", batch, 1),
                    chat, dtype, Checks.fraction("--valid-fraction", validFraction), target.replace);
        });
    }

    @Override
    public Integer call() {
        CalibrateGact.run(options(), typed(), out(), err());
        return 0;
    }
}
