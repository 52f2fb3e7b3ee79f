package dev.vane.cli;

import dev.vane.lab.steering.RefusalEval;
import dev.vane.lab.steering.SteeringEvalCommand;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import dev.vane.steering.plan.LayerRange;
import dev.vane.steering.plan.PhaseScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** {@code vane eval steering refusal}. */
@Command(name = "refusal", sortOptions = false, description =
                "Refusal rate on the corpus's held-out chat requests, harmful and benign, with and without a steering " +
                "controller or a vector set.")
final class SteeringRefusalCommand extends Leaf {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build")
    Path data;
    @Option(names = "--model", defaultValue = "models/demo", paramLabel = "DIR", description = "checkpoint directory (${DEFAULT-VALUE})")
    Path model;
    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "artifact registry directory")
    Path registry;
    @Option(names = "--controller", paramLabel = "NAME", description = "steer with this controller (or --vector)")
    String controller;
    @Option(names = "--alpha", paramLabel = "A", description = "controller strength (default: the artifact's params.alpha)")
    Double alpha;
    @Option(names = "--mode", paramLabel = "paper|prompt|code", description = "controller mode (default paper)")
    ControllerMode mode;
    @Option(names = "--squash", arity = "1", paramLabel = "true|false", description = "squash the controller's scale (default: true except in code mode)")
    Boolean squash;
    @Option(names = "--vector", paramLabel = "NAME", description = "steer with this vector set (or --controller)")
    String vector;
    @Option(names = "--scale", paramLabel = "S", description = "the vector's scale (default 4)")
    Double scale;
    @Option(names = "--layers", paramLabel = "A-B", description = "layers the vector steers (default: the artifact's)")
    LayerRange layers;
    @Option(names = "--phase", paramLabel = "both|prompt|generation", description = "tokens the vector steers (default both)")
    PhaseScope phase;
    @Option(names = "--prompts", defaultValue = "60", paramLabel = "N", description = "requests evaluated (${DEFAULT-VALUE})")
    int prompts;
    @Option(names = "--max-tokens", defaultValue = "12", paramLabel = "N", description = "tokens generated per request (${DEFAULT-VALUE})")
    int maxTokens;
    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "sampling temperature (${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "sampling seed (${DEFAULT-VALUE})")
    int seed;
    @Option(names = "--samples", defaultValue = "1", paramLabel = "N", description = "responses per request (${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--split", defaultValue = "test", paramLabel = "valid|test", description =
            "held-out requests evaluated: valid to choose a configuration, test to report the chosen one (${DEFAULT-VALUE})")
    dev.vane.lab.data.Split split;

    SteeringEvalCommand.Refusal options() {
        return options(() -> {
            Checks.exactlyOne("--controller NAME", controller != null, "--vector NAME", vector != null);
            if (vector != null) {
                only("--alpha", alpha, "--controller");
                only("--mode", mode, "--controller");
                only("--squash", squash, "--controller");
            } else {
                only("--scale", scale, "--vector");
                only("--layers", layers, "--vector");
                only("--phase", phase, "--vector");
            }
            InterventionSpec spec;
            if (vector != null) {
                spec = new InterventionSpec.Vector(vector, scale == null ? 4 : scale, Optional.ofNullable(layers), Optional.empty(),
                        phase == null ? PhaseScope.BOTH : phase);
            } else {
                ControllerMode m = mode == null ? ControllerMode.PAPER : mode;
                spec = new InterventionSpec.Controller(controller, m, alpha == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(alpha),
                        squash == null ? m != ControllerMode.CODE : squash);
            }
            RefusalEval.Options o = new RefusalEval.Options(Checks.atLeast("--prompts", prompts, 1),
                    Checks.atLeast("--max-tokens", maxTokens, 1), temperature, Checks.atLeast("--seed", seed, 0),
                    Checks.atLeast("--samples", samples, 1), split);
            return new SteeringEvalCommand.Refusal(data, model, registry, spec, o);
        });
    }

    /** A flag of the other intervention kind is an error, not ignored. */
    private static void only(String flag, Object value, String kind) {
        if (value != null) throw new IllegalArgumentException(flag + ": only with " + kind);
    }

    @Override
    public Integer call() {
        SteeringEvalCommand.refusal(options(), out());
        return 0;
    }
}
