package dev.vane.cli;

import dev.vane.lab.gact.GactFit;
import dev.vane.lab.steering.ProbeEval;
import dev.vane.lab.steering.SteeringEvalCommand;
import dev.vane.steering.gact.SoftmaxProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane eval steering probes}. */
@Command(name = "probes", sortOptions = false,
        description = "Held-out accuracy of G-ACT's cluster probe and ACT's binary probes per layer, for a genre.")
final class SteeringProbesCommand extends Leaf {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build")
    Path data;
    @Option(names = "--target", required = true, paramLabel = "GENRE", description = "the genre")
    String target;
    @Option(names = "--model", defaultValue = "models/demo", paramLabel = "DIR", description = "checkpoint directory (${DEFAULT-VALUE})")
    Path model;
    @Option(names = "--clusters", defaultValue = "3", paramLabel = "K", description = "G-ACT clusters (${DEFAULT-VALUE})")
    int clusters;
    @Option(names = "--held-out", defaultValue = "0.2", paramLabel = "F", description = "share of pairs held out (${DEFAULT-VALUE})")
    double heldOut;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "k-means, probe and split seed (${DEFAULT-VALUE})")
    int seed;
    @Option(names = "--chunks-per-doc", defaultValue = "4", paramLabel = "N", description = "pair chunks per document (${DEFAULT-VALUE})")
    int chunksPerDoc;
    @Option(names = "--max-pairs", defaultValue = "0", paramLabel = "N", description = "pairs used at most, 0 all (${DEFAULT-VALUE})")
    int maxPairs;

    ProbeEval.Options options() {
        return options(() -> {
            GactFit.Config fit = new GactFit.Config(Checks.atLeast("--clusters", clusters, 2), heldOut,
                    Checks.atLeast("--seed", seed, 0), 4, SoftmaxProbe.Config.defaults());
            return new ProbeEval.Options(target, Checks.atLeast("--chunks-per-doc", chunksPerDoc, 1),
                    Checks.atLeast("--max-pairs", maxPairs, 0), fit, 16);
        });
    }

    @Override
    public Integer call() {
        SteeringEvalCommand.probes(new SteeringEvalCommand.Probes(data, model, options()), out(), err());
        return 0;
    }
}
