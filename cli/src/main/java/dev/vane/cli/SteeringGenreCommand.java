package dev.vane.cli;

import dev.vane.lab.steering.GenreEval;
import dev.vane.lab.steering.SteeringEvalCommand;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.InterventionSpec.GactSelect;
import dev.vane.steering.plan.LayerRange;
import dev.vane.steering.plan.PhaseScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** {@code vane eval steering genre}. */
@Command(name = "genre", sortOptions = false, description =
                "Steer generations towards a genre with a vector set or G-ACT: classifier-scored share of the target " +
                "genre with and without steering, and the perplexity cost.")
final class SteeringGenreCommand extends Leaf {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build")
    Path data;
    @Option(names = "--target", required = true, paramLabel = "GENRE", description = "the genre steered towards")
    String target;
    @Option(names = "--model", defaultValue = "models/demo", paramLabel = "DIR", description = "checkpoint directory (${DEFAULT-VALUE})")
    Path model;
    @Option(names = "--registry", required = true, paramLabel = "DIR", description = "artifact registry directory")
    Path registry;
    @Option(names = "--vector", paramLabel = "NAME", description = "steer with this vector set (or --gact)")
    String vector;
    @Option(names = "--scale", defaultValue = "4", paramLabel = "S", description = "the vector's scale (${DEFAULT-VALUE})")
    double scale;
    @Option(names = "--gact", paramLabel = "NAME", description = "steer with this G-ACT artifact (or --vector)")
    String gact;
    @Option(names = "--alpha", defaultValue = "4", paramLabel = "A", description = "G-ACT strength (${DEFAULT-VALUE})")
    double alpha;
    @Option(names = "--select", defaultValue = "argmax", paramLabel = "argmax|soft", description = "G-ACT direction choice (${DEFAULT-VALUE})")
    GactSelect select;
    @Option(names = "--layers", paramLabel = "A-B", description = "layers to steer (default: the artifact's)")
    LayerRange layers;
    @Option(names = "--phase", defaultValue = "both", paramLabel = "both|prompt|generation", description = "tokens steered (${DEFAULT-VALUE})")
    PhaseScope phase;
    @Option(names = "--prompts", defaultValue = "40", paramLabel = "N", description = "evaluation prompts (${DEFAULT-VALUE})")
    int prompts;
    @Option(names = "--max-tokens", defaultValue = "48", paramLabel = "N", description = "tokens generated per prompt (${DEFAULT-VALUE})")
    int maxTokens;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "sampling seed (${DEFAULT-VALUE})")
    int seed;
    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T", description = "sampling temperature (${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--ppl-windows", defaultValue = "16", paramLabel = "N", description = "perplexity windows (${DEFAULT-VALUE})")
    int pplWindows;
    @Option(names = "--ppl-tokens", defaultValue = "128", paramLabel = "N", description = "tokens per perplexity window (${DEFAULT-VALUE})")
    int pplTokens;
    @Option(names = "--header", arity = "1", defaultValue = "false", paramLabel = "true|false",
            description = "print the table's header before the row (${DEFAULT-VALUE})")
    boolean header;

    SteeringEvalCommand.Genre options() {
        return options(() -> {
            Checks.exactlyOne("--vector NAME", vector != null, "--gact NAME", gact != null);
            Optional<LayerRange> range = Optional.ofNullable(layers);
            InterventionSpec spec = vector != null
                    ? new InterventionSpec.Vector(vector, scale, range, Optional.empty(), phase)
                    : new InterventionSpec.Gact(gact, alpha, select, range, phase);
            GenreEval.Options o = new GenreEval.Options(target, Checks.atLeast("--prompts", prompts, 1),
                    Checks.atLeast("--max-tokens", maxTokens, 1), Checks.atLeast("--seed", seed, 0), temperature,
                    Checks.atLeast("--ppl-windows", pplWindows, 1), Checks.atLeast("--ppl-tokens", pplTokens, 1));
            return new SteeringEvalCommand.Genre(data, model, registry, spec, o, header);
        });
    }

    @Override
    public Integer call() {
        SteeringEvalCommand.genre(options(), out(), err());
        return 0;
    }
}
