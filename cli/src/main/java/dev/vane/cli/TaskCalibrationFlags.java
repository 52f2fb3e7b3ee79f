package dev.vane.cli;

import dev.vane.lab.task.HeadSelection;
import dev.vane.lab.task.TaskCalibration;
import picocli.CommandLine.Option;

/** The calibration flags that {@code calibrate task-embedding} and {@code eval task-embedding} share. */
final class TaskCalibrationFlags {

    @Option(names = "--prompts", defaultValue = "50", paramLabel = "M",
            description = "few-shot prompts averaged into the task embedding (${DEFAULT-VALUE})")
    int prompts;
    @Option(names = "--shots", defaultValue = "10", paramLabel = "N",
            description = "demonstrations per few-shot prompt (\"Q: x\\nA: y\\n\\n\" each, then \"Q: x\\nA:\") (${DEFAULT-VALUE})")
    int shots;
    @Option(names = "--steps", defaultValue = "400", paramLabel = "N", description = "Adam steps on the head-selection logits, batch 1 (${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--lr", defaultValue = "0.2", paramLabel = "LR", description = "Adam learning rate (${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--valid-every", defaultValue = "50", paramLabel = "N",
            description = "validate (and keep the best logits) every this many steps (${DEFAULT-VALUE})")
    int validEvery;
    @Option(names = "--valid-size", defaultValue = "100", paramLabel = "N", description = "queries of the valid split per validation (${DEFAULT-VALUE})")
    int validSize;
    @Option(names = "--loss", defaultValue = "first-token", paramLabel = "first-token|answer", description =
            "first-token: cross-entropy of the first answer token only, as in the paper (default); " +
            "answer: of every answer token and the closing \"\\n\\n\"")
    HeadSelection.Loss loss;
    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "prompts per forward pass (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "seed of the prompts and the optimiser (${DEFAULT-VALUE})")
    long seed;

    /** @throws IllegalArgumentException naming the flag at fault */
    TaskCalibration.Settings settings() {
        return new TaskCalibration.Settings(prompts, shots, validSize, batch,
                new HeadSelection.Options(steps, lr, validEvery, loss, seed));
    }
}
