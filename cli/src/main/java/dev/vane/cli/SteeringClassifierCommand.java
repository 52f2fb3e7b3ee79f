package dev.vane.cli;

import dev.vane.lab.steering.GenreClassifier;
import dev.vane.lab.steering.SteeringEvalCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane eval steering classifier}. */
@Command(name = "classifier", sortOptions = false,
        description = "The genre classifier that scores steered text: its held-out accuracy per genre.")
final class SteeringClassifierCommand extends Leaf {

    private static final GenreClassifier.Options DEFAULTS = GenreClassifier.Options.defaults();

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build (tools/build-demo-corpus.sh)")
    Path data;
    @Option(names = "--bigrams", arity = "1", paramLabel = "true|false", description = "bigram features too (default ${DEFAULT-VALUE})")
    boolean bigrams = DEFAULTS.bigrams();
    @Option(names = "--alpha", paramLabel = "A", description = "additive smoothing (default ${DEFAULT-VALUE})")
    double alpha = DEFAULTS.alpha();
    @Option(names = "--prior", paramLabel = "uniform|empirical", description = "class prior (default ${DEFAULT-VALUE})")
    String prior = DEFAULTS.uniformPrior() ? "uniform" : "empirical";
    @Option(names = "--min-docs", paramLabel = "N", description = "least documents a feature appears in (default ${DEFAULT-VALUE})")
    int minDocs = DEFAULTS.minSources();

    @Override
    public Integer call() {
        GenreClassifier.Options o = options(() -> {
            if (!prior.equals("uniform") && !prior.equals("empirical"))
                throw new IllegalArgumentException("--prior must be uniform or empirical, got '" + prior + "'");
            return new GenreClassifier.Options(bigrams, alpha, prior.equals("uniform"), Checks.atLeast("--min-docs", minDocs, 1));
        });
        SteeringEvalCommand.classifier(data, o, out());
        return 0;
    }
}
