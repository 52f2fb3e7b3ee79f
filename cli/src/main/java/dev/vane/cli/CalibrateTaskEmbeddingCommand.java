package dev.vane.cli;

import dev.vane.lab.calibrate.CalibrateTaskEmbedding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane calibrate task-embedding} ({@link CalibrateTaskEmbedding}; docs/soft-injection.md). */
@Command(name = "task-embedding", sortOptions = false,
        description = "Build a task-embedding artifact by soft injection and store it in a registry.")
final class CalibrateTaskEmbeddingCommand extends Leaf {

    @Mixin
    CalibrationTarget target;
    @Option(names = "--task", required = true, paramLabel = "FILE",
            description = "JSONL, one {\"input\": \"...\", \"output\": \"...\", \"split\": \"train\"|\"valid\"|\"test\"} per line")
    Path task;
    @Mixin
    TaskCalibrationFlags calibration;

    CalibrateTaskEmbedding.Options options() {
        return options(() -> {
            String name = target.checkedName();
            return new CalibrateTaskEmbedding.Options(target.model, task, name, target.registry, calibration.settings(),
                    target.replace);
        });
    }

    @Override
    public Integer call() {
        CalibrateTaskEmbedding.run(options(), typed(), out(), err());
        return 0;
    }
}
