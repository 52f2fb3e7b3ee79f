package dev.vane.cli;

import dev.vane.engine.config.HfConfig;
import dev.vane.lab.eval.AttentionEval;
import dev.vane.lab.eval.BeaconEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code vane eval beacon} ({@link BeaconEval}; docs/results/beacon.md). */
@Command(name = "beacon", sortOptions = false,
        description = "Activation Beacon against the full and the truncated context at multiples of the training length: "
                + "pass-key accuracy, perplexity on long held-out documents and KV memory; one JSON line per length and setting.")
final class EvalBeaconCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "a checkpoint with beacon parameters")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the demo corpus build (its <split>.txt)")
    Path data;
    @Option(names = "--split", defaultValue = "test", paramLabel = "NAME", description = "valid or test (${DEFAULT-VALUE})")
    String split;
    @Option(names = "--multiples", defaultValue = "1,2,4,8", split = ",", paramLabel = "M", description = "contexts as multiples of the training length (${DEFAULT-VALUE})")
    List<Integer> multiples;
    @Option(names = "--ratios", defaultValue = "2,4,8", split = ",", paramLabel = "R", description = "beacon ratios (${DEFAULT-VALUE})")
    List<Integer> ratios;
    @Option(names = "--passkeys", defaultValue = "100", paramLabel = "N", description = "pass-key documents per context (${DEFAULT-VALUE})")
    int passKeys;
    @Option(names = "--documents", defaultValue = "16", paramLabel = "N", description = "long documents for perplexity (${DEFAULT-VALUE})")
    int documents;
    @Option(names = "--train-length", paramLabel = "N", description = "the training length (default: the checkpoint's context)")
    Integer trainLength;
    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "decoder threads (${DEFAULT-VALUE})")
    int threads;

    BeaconEval.Options options() {
        return options(() -> {
            if (!split.equals("valid") && !split.equals("test")) throw new IllegalArgumentException("--split must be valid or test, got '" + split + "'");
            int n = trainLength != null ? Checks.atLeast("--train-length", trainLength, 2) : AttentionEval.trainLength(HfConfig.read(model));
            multiples.forEach(m -> Checks.atLeast("--multiples", m, 1));
            return new BeaconEval.Options(model, data, split, n, multiples, Checks.atLeast("--passkeys", passKeys, 1),
                    Checks.atLeast("--documents", documents, 2), ratios, Checks.atLeast("--threads", threads, 1));
        });
    }

    @Override
    public Integer call() throws Exception {
        BeaconEval.run(options(), out());
        return 0;
    }
}
