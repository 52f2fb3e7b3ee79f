package dev.vane.cli;

import dev.vane.engine.config.BeaconConfig;
import dev.vane.lab.train.TrainBeacon;
import dev.vane.lab.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/** {@code vane train beacon} ({@link TrainBeacon}). */
@Command(name = "beacon", sortOptions = false,
        description =
                "Train Activation Beacon parameters for a checkpoint whose own weights stay frozen, on long sequences of a corpus "
                + "and pass-key documents; re-running the same command resumes. The output is the checkpoint with its beacon "
                + "parameters and beacon_* settings (docs/beacon.md).")
final class TrainBeaconCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the base checkpoint (safetensors)")
    Path model;
    @Option(names = "--train", required = true, paramLabel = "FILE", description = "training text")
    Path train;
    @Option(names = "--valid", required = true, paramLabel = "FILE", description = "validation text")
    Path valid;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "checkpoint directory (created, or resumed)")
    Path out;
    @Option(names = "--doc-separator", paramLabel = "TEXT",
            description = "split the text into documents at TEXT (Java escapes such as \\n allowed)")
    String docSeparator;
    @Option(names = "--window", defaultValue = "64", paramLabel = "W", description = "raw tokens per beacon window (${DEFAULT-VALUE})")
    int window;
    @Option(names = "--ratios", defaultValue = "2,4,8", split = ",", paramLabel = "R", description = "ratios drawn per window (${DEFAULT-VALUE})")
    List<Integer> ratios;
    @Option(names = "--sink", defaultValue = "1", paramLabel = "N", description = "leading entries always kept (${DEFAULT-VALUE})")
    int sink;
    @Option(names = "--params", defaultValue = "q,k,v,o", split = ",", paramLabel = "P",
            description = "projections with a beacon copy: q, k, v, o (${DEFAULT-VALUE})")
    List<String> params;
    @Option(names = "--length", defaultValue = "1024", paramLabel = "N", description = "raw tokens per sequence (${DEFAULT-VALUE})")
    int length;
    @Option(names = "--passkey-share", defaultValue = "0.5", paramLabel = "F", description = "fraction of sequences that are pass-key documents (${DEFAULT-VALUE})")
    double passKeyShare;
    @Option(names = "--answer-weight", defaultValue = "1", paramLabel = "A",
            description = "weight of a pass-key answer's tokens in the loss, against 1 for any other token (${DEFAULT-VALUE})")
    double answerWeight;
    @Option(names = "--steps", defaultValue = "600", paramLabel = "N", description = "optimiser steps of the whole run (${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--batch", defaultValue = "4", paramLabel = "N", description = "sequences per step (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "LR", description = "peak learning rate (${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--warmup", defaultValue = "30", paramLabel = "N", description = "linear warm-up steps (${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--min-lr-ratio", defaultValue = "0.1", paramLabel = "R", description = "final learning rate / peak (${DEFAULT-VALUE})")
    double minLrRatio;
    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "W", description = "AdamW weight decay (${DEFAULT-VALUE})")
    double weightDecay;
    @Option(names = "--clip", defaultValue = "1.0", paramLabel = "NORM", description = "gradient-norm clip, 0 off (${DEFAULT-VALUE})")
    double clip;
    @Option(names = "--eval-every", defaultValue = "100", paramLabel = "N", description = "steps between validations, 0 never (${DEFAULT-VALUE})")
    int evalEvery;
    @Option(names = "--eval-batches", defaultValue = "4", paramLabel = "N", description = "batches per validation (${DEFAULT-VALUE})")
    int evalBatches;
    @Option(names = "--checkpoint-every", defaultValue = "50", paramLabel = "N", description = "steps between checkpoints, 0 only at the end (${DEFAULT-VALUE})")
    int checkpointEvery;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "data-order seed (${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--until", paramLabel = "STEP", description = "stop after this step (default: --steps)")
    Integer until;

    TrainBeacon.Options options() {
        return options(() -> {
            EnumSet<BeaconConfig.Projection> projections = EnumSet.noneOf(BeaconConfig.Projection.class);
            for (String p : params)
                projections.add(Arrays.stream(BeaconConfig.Projection.values()).filter(x -> x.id().equals(p.trim())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("--params: unknown projection '" + p + "' (q, k, v, o)")));
            BeaconConfig settings;
            try {
                settings = new BeaconConfig(window, ratios, sink, projections);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replace("beacon_window", "--window").replace("beacon_ratio", "--ratios")
                        .replace("beacon_sink_size", "--sink"));
            }
            TrainConfig cfg = new TrainConfig(steps, batch, length, lr, minLrRatio, warmup, weightDecay, clip, evalEvery,
                    evalBatches, checkpointEvery, seed);
            return new TrainBeacon.Options(model, train, valid, out, settings, cfg, passKeyShare, answerWeight, until == null ? steps : until,
                    Optional.ofNullable(docSeparator).map(String::translateEscapes));
        });
    }

    @Override
    public Integer call() throws Exception {
        TrainBeacon.run(options());
        return 0;
    }
}
