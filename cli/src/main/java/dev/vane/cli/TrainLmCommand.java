package dev.vane.cli;

import dev.vane.attention.AttentionKind;
import dev.vane.lab.train.TrainConfig;
import dev.vane.lab.train.TrainLm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** {@code vane train lm} ({@link TrainLm}). */
@Command(name = "lm", sortOptions = false,
        description =
                "Train a Llama model from text with a tokenizer directory; re-running the same command resumes. " +
                "Checkpoints in Hugging Face layout every --checkpoint-every steps and when stopped (Ctrl-C, kill).")
final class TrainLmCommand extends Leaf {

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "tokenizer directory (tokenizer.json)")
    Path tokenizer;
    @Option(names = "--train", required = true, paramLabel = "FILE", description = "training text")
    Path train;
    @Option(names = "--valid", required = true, paramLabel = "FILE", description = "validation text")
    Path valid;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "checkpoint directory (created, or resumed)")
    Path out;
    @Option(names = "--layers", defaultValue = "6", paramLabel = "N", description = "decoder layers of a new model (${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--hidden", defaultValue = "256", paramLabel = "N", description = "hidden size (${DEFAULT-VALUE})")
    int hidden;
    @Option(names = "--heads", defaultValue = "8", paramLabel = "N", description = "attention heads (${DEFAULT-VALUE})")
    int heads;
    @Option(names = "--kv-heads", defaultValue = "4", paramLabel = "N", description = "key/value heads (${DEFAULT-VALUE})")
    int kvHeads;
    @Option(names = "--intermediate", defaultValue = "704", paramLabel = "N", description = "MLP width (${DEFAULT-VALUE})")
    int intermediate;
    @Option(names = "--context", defaultValue = "256", paramLabel = "N", description = "tokens per training sequence (${DEFAULT-VALUE})")
    int context;
    @Option(names = "--steps", defaultValue = "2000", paramLabel = "N", description = "optimiser steps of the whole run (${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "sequences per step (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR", description = "peak learning rate (${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--warmup", defaultValue = "100", paramLabel = "N", description = "linear warm-up steps (${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--min-lr-ratio", defaultValue = "0.1", paramLabel = "R", description = "final learning rate / peak (${DEFAULT-VALUE})")
    double minLrRatio;
    @Option(names = "--weight-decay", defaultValue = "0.1", paramLabel = "W", description = "AdamW weight decay (${DEFAULT-VALUE})")
    double weightDecay;
    @Option(names = "--clip", defaultValue = "1.0", paramLabel = "NORM", description = "gradient-norm clip, 0 off (${DEFAULT-VALUE})")
    double clip;
    @Option(names = "--eval-every", defaultValue = "200", paramLabel = "N", description = "steps between validations, 0 never (${DEFAULT-VALUE})")
    int evalEvery;
    @Option(names = "--eval-batches", defaultValue = "8", paramLabel = "N", description = "batches per validation (${DEFAULT-VALUE})")
    int evalBatches;
    @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "N", description = "steps between checkpoints, 0 only at the end (${DEFAULT-VALUE})")
    int checkpointEvery;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "initialisation and data-order seed (${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--until", paramLabel = "STEP", description = "stop after this step (default: --steps)")
    Integer until;
    @Option(names = "--attention", paramLabel = "KIND",
            description = "attention of a new model: softmax, lssa, lssar (softplus with the length scale, re-weighted for lssar) "
                    + "or sigmoid (bias −ln context); the training length is --context (default: softmax)")
    String attention;
    @Option(names = "--attention-power", defaultValue = "2", paramLabel = "P", description = "lssar's re-weighting power, > 1 (${DEFAULT-VALUE})")
    double attentionPower;
    @Option(names = "--doc-separator", paramLabel = "TEXT",
            description = "split the text into documents at TEXT (Java escapes such as \\n allowed); windows start at documents")
    String docSeparator;

    TrainLm.Options options() {
        return options(() -> {
            TrainConfig cfg = new TrainConfig(steps, batch, context, lr, minLrRatio, warmup, weightDecay, clip, evalEvery,
                    evalBatches, checkpointEvery, seed);
            return new TrainLm.Options(tokenizer, train, valid, out, layers, hidden, heads, kvHeads, intermediate, cfg,
                    until == null ? steps : until, Optional.ofNullable(docSeparator).map(String::translateEscapes),
                    Optional.ofNullable(attention).map(this::attentionKind));
        });
    }

    private AttentionKind attentionKind(String kind) {
        if (kind.equals("lssar") && !(attentionPower > 1))
            throw new IllegalArgumentException("--attention-power must be > 1 for lssar, got " + attentionPower);
        try {
            return AttentionKind.named(kind, context, attentionPower);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--attention must be softmax, lssa, lssar or sigmoid, got '" + kind + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        TrainLm.run(options());
        return 0;
    }
}
