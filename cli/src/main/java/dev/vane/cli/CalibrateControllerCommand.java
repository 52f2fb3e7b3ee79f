package dev.vane.cli;

import dev.vane.engine.model.ComputeDType;
import dev.vane.lab.calibrate.CalibrateController;
import dev.vane.lab.controller.ControllerNet;
import dev.vane.steering.controller.RefusalDirection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/** {@code vane calibrate controller} ({@link CalibrateController}). */
@Command(name = "controller", sortOptions = false,
        description = "Train the steering controller of \"Guiding Giants\" on harmful and benign prompts and store it in a registry.")
final class CalibrateControllerCommand extends Leaf {

    @Mixin
    CalibrationTarget target;
    @Option(names = "--prompts", required = true, paramLabel = "FILE", description =
            "JSONL, one {\"text\": \"...\", \"label\": \"harmful\"|\"benign\", \"split\": \"train\"|\"valid\"} per line")
    Path prompts;
    @Option(names = "--direction", defaultValue = "embeddings", paramLabel = "embeddings|activations|gaps", description =
            "embeddings (default, as the authors' code: input-embedding centroid of the refusal phrases' tokens minus " +
            "that of the compliance phrases' tokens), activations (harmful minus benign mean of the training prompts at " +
            "one layer, shared by all layers) or gaps (that mean difference at every layer, each layer steered along its " +
            "own); every direction is scaled to unit length when a plan applies it")
    String direction;
    @Option(names = "--direction-layer", paramLabel = "N",
            description = "the layer for --direction activations (default: the middle one, L/2)")
    Integer directionLayer;
    @Option(names = "--refusal-phrases", paramLabel = "A|B|...",
            description = "'|'-separated phrases for --direction embeddings, taken verbatim (default \"I'm sorry|I can't|I cannot|Sorry\")")
    String refusalPhrases;
    @Option(names = "--compliance-phrases", paramLabel = "A|B|...",
            description = "the same for the compliance side (default \"Sure|Here|Of course|To\")")
    String compliancePhrases;
    @Option(names = "--epochs", defaultValue = "10", paramLabel = "N", description = "controller training epochs (the paper's ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--lr", defaultValue = "5e-5", paramLabel = "LR", description = "learning rate (the paper's ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "training rows per step (paper: 8) and prompts per harvest forward pass (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--width", paramLabel = "N", description = "hidden width of the controller (the paper's ${DEFAULT-VALUE})")
    int width = ControllerNet.PAPER_WIDTH;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "training seed (${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--alpha", defaultValue = "1", paramLabel = "A", description = "the artifact's default strength " +
            "(params.alpha), applied by requests that set none; choose it on held-out requests with " +
            "'vane eval steering refusal --split valid' (${DEFAULT-VALUE})")
    double alpha;
    @Option(names = "--chat", description = "wrap each prompt as a user turn of the model's chat template")
    boolean chat;
    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f16", description = "compute dtype (${DEFAULT-VALUE})")
    ComputeDType dtype;

    CalibrateController.Options options() {
        return options(() -> {
            String name = target.checkedName();
            RefusalDirection.Source source = switch (direction) {
                case "embeddings" -> RefusalDirection.Source.EMBEDDING_CENTROIDS;
                case "activations" -> RefusalDirection.Source.ACTIVATION_MEANS;
                case "gaps" -> RefusalDirection.Source.ACTIVATION_GAPS;
                default -> throw new IllegalArgumentException("--direction: expected embeddings, activations or gaps, got '" + direction + "'");
            };
            if (source != RefusalDirection.Source.ACTIVATION_MEANS && directionLayer != null)
                throw new IllegalArgumentException("--direction-layer: only with --direction activations");
            boolean embeddings = source == RefusalDirection.Source.EMBEDDING_CENTROIDS;
            if (!embeddings && refusalPhrases != null)
                throw new IllegalArgumentException("--refusal-phrases: only with --direction embeddings");
            if (!embeddings && compliancePhrases != null)
                throw new IllegalArgumentException("--compliance-phrases: only with --direction embeddings");
            OptionalInt layer = directionLayer == null ? OptionalInt.empty()
                    : OptionalInt.of(Checks.atLeast("--direction-layer", directionLayer, 0));
            List<String> refusal = refusalPhrases == null ? CalibrateController.REFUSAL_PHRASES
                    : Checks.phrases("--refusal-phrases", refusalPhrases);
            List<String> compliance = compliancePhrases == null ? CalibrateController.COMPLIANCE_PHRASES
                    : Checks.phrases("--compliance-phrases", compliancePhrases);
            return new CalibrateController.Options(target.model, prompts, name, target.registry, source, layer, refusal,
                    compliance, Checks.atLeast("--epochs", epochs, 1), Checks.positive("--lr", lr),
                    Checks.atLeast("--batch", batch, 1), Checks.atLeast("--width", width, 1), seed, alpha, chat, dtype,
                    target.replace);
        });
    }

    @Override
    public Integer call() {
        CalibrateController.run(options(), typed(), out(), err());
        return 0;
    }
}
