package dev.vane.cli;

import dev.vane.lab.task.TaskCalibration;
import dev.vane.lab.task.TaskEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vane eval task-embedding} ({@link TaskEval}). */
@Command(name = "task-embedding", sortOptions = false, description =
                "Per task: zero-shot, zero-shot with the task embedding injected, and N-shot ICL on the test split " +
                "(the embedding is calibrated in memory with the flags of calibrate task-embedding).")
final class EvalTaskEmbeddingCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "a directory of task files (*.jsonl), or a demo corpus holding them under icl/tasks")
    Path data;
    @Option(names = "--tasks", paramLabel = "A,B", split = ",",
            description = "task names (file names without .jsonl); default: every task file")
    List<String> tasks = new ArrayList<>();
    @Option(names = "--per-task", defaultValue = "25", paramLabel = "N", description = "test queries per task (${DEFAULT-VALUE})")
    int perTask;
    @Option(names = "--icl-seeds", defaultValue = "5", paramLabel = "N",
            description = "ICL seeds: each draws every query's demonstrations anew from the train split (${DEFAULT-VALUE})")
    int iclSeeds;
    @Mixin
    TaskCalibrationFlags calibration;

    @Override
    public Integer call() {
        TaskCalibration.Settings settings = options(calibration::settings);
        int queries = options(() -> Checks.atLeast("--per-task", perTask, 1));
        List<Path> files = options(() -> TaskEval.taskFiles(data, tasks));
        int seeds = options(() -> Checks.atLeast("--icl-seeds", iclSeeds, 1));
        TaskEval.run(model, files, settings, queries, seeds, out(), err());
        return 0;
    }
}
